/*
 * A bump allocator for cJSON trees parsed from ARM responses: the collector
 * parses every response into a tree it only reads and then deletes, and
 * malloc + free per node and per string was a sixth of the parse and delete
 * time. While the arena is open (json_arena_open .. json_arena_close) cJSON
 * allocates from it; json_arena_close drops everything at once. cJSON_Delete
 * of an arena tree frees nothing (call it anyway, or not: the close frees).
 *
 * The hooks are process-wide (cJSON_InitHooks): json_arena_install for the
 * length of a run, json_arena_uninstall to restore malloc/free. Outside an open
 * arena they pass through to malloc/free. Single-threaded, like the engine.
 * A tree parsed in an arena must not outlive json_arena_close.
 */
#ifndef PALSCOPE_ARM_JSON_ARENA_H
#define PALSCOPE_ARM_JSON_ARENA_H

void json_arena_install(void);
void json_arena_uninstall(void);
void json_arena_open(void);
void json_arena_close(void);

#endif
