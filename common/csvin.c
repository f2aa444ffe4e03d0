#include "common/csvin.h"
#include "common/buf.h"
#include "common/xalloc.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 65536

struct csvin {
	FILE *fp;
	bool own_fp;
	const unsigned char *mem;
	size_t mem_len, mem_pos;
	char *name;
	struct csv_parser p;
	bool p_init;

	unsigned char *chunk;
	size_t clen, cpos;
	bool eof, fini_done, started;

	long line;		/* physical line of the next byte fed */
	bool prev_cr;
	long cur_rec_line;	/* line where the record being parsed started */
	long rec_line;		/* line of the record last completed */

	/* header */
	bool in_header;
	char **cols, **norm;
	int ncols, alloc_cols;
	bool *want;

	/* the record being parsed / last completed */
	int field;
	bool nonempty;
	bool rec_ready;
	struct buf arena;
	size_t *off, *len;
	bool *has;
	long rows;

	char delim;
	bool failed;
	struct err perr;	/* an error found in a callback (NUL byte, bad encoding) */

	long cp1252_line;	/* first line read as Windows-1252 (0: none) */
	long cp1252_fields;	/* fields converted */
	struct buf conv;	/* scratch for a converted field */
};

/* Windows-1252 0x80-0x9F as Unicode code points (0: undefined in Windows-1252). */
static const unsigned short cp1252_hi[32] = {
	0x20AC, 0,	0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,	0x017D, 0,
	0,	0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,	0x017E, 0x0178,
};

bool
csvin_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char b = s[i];
		size_t n;
		unsigned long cp;
		if (b < 0x80) {
			i++;
			continue;
		} else if (b >= 0xC2 && b <= 0xDF) {
			n = 1;
			cp = b & 0x1F;
		} else if (b >= 0xE0 && b <= 0xEF) {
			n = 2;
			cp = b & 0x0F;
		} else if (b >= 0xF0 && b <= 0xF4) {
			n = 3;
			cp = b & 0x07;
		} else {
			return false;
		}
		if (i + n >= len)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n + 1;
	}
	return true;
}

/* Append s (Windows-1252) to b as UTF-8; false when s has a byte Windows-1252 leaves undefined. */
static bool
cp1252_to_utf8(struct buf *b, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < len; i++) {
		unsigned cp = s[i];
		if (cp >= 0x80 && cp < 0xA0 && (cp = cp1252_hi[cp - 0x80]) == 0)
			return false;
		if (cp < 0x80) {
			buf_addc(b, (char)cp);
		} else if (cp < 0x800) {
			buf_addc(b, (char)(0xC0 | (cp >> 6)));
			buf_addc(b, (char)(0x80 | (cp & 0x3F)));
		} else {
			buf_addc(b, (char)(0xE0 | (cp >> 12)));
			buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
			buf_addc(b, (char)(0x80 | (cp & 0x3F)));
		}
	}
	return true;
}

static void cb_fail(struct csvin *c, const char *fmt, ...) PRINTFLIKE(2, 3);

/* An error found while libcsv hands over a field: the cell is c->field of the record being read. */
static void
cb_fail(struct csvin *c, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (c->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->in_header)
		err_set(&c->perr, RC_PARSE, "%s:%ld: column %d of the header: %s", c->name,
			c->cur_rec_line, c->field + 1, msg);
	else
		err_set(&c->perr, RC_PARSE, "%s:%ld: column %d ('%.60s'): %s", c->name,
			c->cur_rec_line, c->field + 1, csvin_colname(c, c->field), msg);
	c->failed = true;
}

void
csvin_norm(const char *s, size_t len, char *out)
{
	size_t j = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (isalnum(ch) && ch < 0x80)
			out[j++] = (char)tolower(ch);
	}
	out[j] = '\0';
}

static void
trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

static void
on_field(void *data, size_t len, void *ud)
{
	struct csvin *c = ud;
	const char *s = data ? data : "";

	if (c->failed)
		return;
	trim(&s, &len);
	bool keep = c->in_header || (c->field < c->ncols && c->want[c->field]);
	if (memchr(s, '\0', len)) {
		/* a NUL would cut the value short wherever it goes next (SQLite text, C strings) */
		cb_fail(c, "NUL byte in the cell: the file is binary or damaged");
		return;
	}
	if (keep && !csvin_utf8_valid(s, len)) {
		/* Excel's "CSV (Comma delimited)" on Western Windows writes Windows-1252 */
		buf_reset(&c->conv);
		if (!cp1252_to_utf8(&c->conv, s, len)) {
			cb_fail(c, "not UTF-8 (nor Windows-1252): save the file as CSV UTF-8");
			return;
		}
		if (c->cp1252_line == 0)
			c->cp1252_line = c->cur_rec_line;
		c->cp1252_fields++;
		s = c->conv.ptr;
		len = c->conv.len;
	}
	if (c->in_header) {
		if (c->ncols == c->alloc_cols) {
			c->alloc_cols = c->alloc_cols ? c->alloc_cols * 2 : 32;
			c->cols = xrealloc(c->cols, (size_t)c->alloc_cols * sizeof(*c->cols));
			c->norm = xrealloc(c->norm, (size_t)c->alloc_cols * sizeof(*c->norm));
		}
		char *name = xmalloc(len + 1);
		memcpy(name, s, len);
		name[len] = '\0';
		c->norm[c->ncols] = xmalloc(len + 1);
		csvin_norm(name, len, c->norm[c->ncols]);
		c->cols[c->ncols++] = name;
	} else if (keep) {
		c->off[c->field] = c->arena.len;
		c->len[c->field] = len;
		buf_add(&c->arena, s, len);
		buf_addc(&c->arena, '\0');
		c->has[c->field] = true;
	}
	if (len)
		c->nonempty = true;
	c->field++;
}

static void
on_record(int ch, void *ud)
{
	struct csvin *c = ud;

	(void)ch;
	c->rec_ready = true;
	c->rec_line = c->cur_rec_line;
}

static size_t
read_more(struct csvin *c, unsigned char *dst, size_t n)
{
	if (c->mem) {
		size_t k = c->mem_len - c->mem_pos;
		if (k > n)
			k = n;
		memcpy(dst, c->mem + c->mem_pos, k);
		c->mem_pos += k;
		return k;
	}
	return fread(dst, 1, n, c->fp);
}

static int
refill(struct csvin *c, struct err *err)
{
	c->clen = read_more(c, c->chunk, CHUNK);
	c->cpos = 0;
	if (c->clen == 0) {
		if (c->fp && ferror(c->fp))
			return err_set(err, RC_INPUT, "cannot read '%s': %s", c->name, strerror(errno));
		c->eof = true;
		return 0;
	}
	if (!c->started) {
		c->started = true;
		if (c->clen >= 3 && memcmp(c->chunk, "\xEF\xBB\xBF", 3) == 0)
			c->cpos = 3;
		else if (c->clen >= 2 && (memcmp(c->chunk, "\xFF\xFE", 2) == 0 ||
					  memcmp(c->chunk, "\xFE\xFF", 2) == 0))
			return err_set(err, RC_PARSE,
				       "'%s' is UTF-16 text: save it as CSV UTF-8 and import again",
				       c->name);
		/* The delimiter is the most frequent of , ; TAB in the header line. */
		size_t n_comma = 0, n_semi = 0, n_tab = 0;
		bool q = false;
		for (size_t i = c->cpos; i < c->clen; i++) {
			unsigned char ch = c->chunk[i];
			if (ch == '"')
				q = !q;
			else if (!q && (ch == '\n' || ch == '\r'))
				break;
			else if (!q && ch == ',')
				n_comma++;
			else if (!q && ch == ';')
				n_semi++;
			else if (!q && ch == '\t')
				n_tab++;
		}
		c->delim = ',';
		if (n_semi > n_comma && n_semi >= n_tab)
			c->delim = ';';
		else if (n_tab > n_comma && n_tab > n_semi)
			c->delim = '\t';
		csv_set_delim(&c->p, (unsigned char)c->delim);
	}
	return 0;
}

/* Feed physical lines to libcsv until one record is complete or the input ends. */
static int
feed(struct csvin *c, struct err *err)
{
	int rc;

	while (!c->rec_ready) {
		if (c->cpos == c->clen) {
			if (c->eof) {
				if (c->fini_done)
					return 0;
				c->fini_done = true;
				if (c->p.pstate == 0)
					c->cur_rec_line = c->line;
				/* libcsv's FIELD_BEGUN (2) in a quoted field: the quote never closed,
				 * and the cell would swallow the rest of the file */
				if (c->p.pstate == 2 && c->p.quoted)
					return err_set(err, RC_PARSE,
						       "%s:%ld: column %d: a quoted cell is not closed "
						       "(unbalanced \")",
						       c->name, c->cur_rec_line, c->field + 1);
				if (csv_fini(&c->p, on_field, on_record, c) != 0)
					return err_set(err, RC_PARSE, "%s:%ld: %s", c->name,
						       c->cur_rec_line, csv_strerror(csv_error(&c->p)));
				if (c->failed) {
					*err = c->perr;
					return err->code;
				}
				break;
			}
			if ((rc = refill(c, err)) < 0)
				return rc;
			continue;
		}
		size_t start = c->cpos, i = c->cpos;
		const unsigned char *ch = c->chunk;
		while (i < c->clen && ch[i] != '\n' && ch[i] != '\r')
			i++;
		bool nl = i < c->clen;
		if (nl)
			i++;
		if (c->p.pstate == 0)
			c->cur_rec_line = c->line;
		if (csv_parse(&c->p, ch + start, i - start, on_field, on_record, c) != i - start)
			return err_set(err, RC_PARSE, "%s:%ld: %s", c->name, c->cur_rec_line,
				       csv_strerror(csv_error(&c->p)));
		if (c->failed) {
			*err = c->perr;
			return err->code;
		}
		if (nl) {
			unsigned char last = ch[i - 1];
			if (!(last == '\n' && c->prev_cr && i - start == 1))
				c->line++;
			c->prev_cr = last == '\r';
		} else if (i > start) {
			c->prev_cr = false;
		}
		c->cpos = i;
		if (c->p.entry_pos > CSVIN_MAX_FIELD || c->arena.len > CSVIN_MAX_FIELD)
			return err_set(err, RC_PARSE, "%s:%ld: column %d: field longer than %u MB",
				       c->name, c->cur_rec_line, c->field + 1,
				       CSVIN_MAX_FIELD / (1024 * 1024));
	}
	return 0;
}

static int
open_common(struct csvin *c, struct csvin **out, struct err *err)
{
	int rc;

	c->chunk = xmalloc(CHUNK);
	c->line = 1;
	c->in_header = true;
	if (csv_init(&c->p, 0) != 0) {
		rc = err_set(err, RC_ERROR, "cannot initialise the CSV parser");
		goto fail;
	}
	c->p_init = true;
	csv_set_realloc_func(&c->p, xrealloc);
	/* libcsv grows a field by this much at a time: keep huge cells linear, not quadratic */
	csv_set_blk_size(&c->p, 1024 * 1024);
	if ((rc = refill(c, err)) < 0)
		goto fail;
	if ((rc = feed(c, err)) < 0)
		goto fail;
	if (!c->rec_ready || c->ncols == 0 || !c->nonempty) {
		rc = err_set(err, RC_PARSE, "'%s' is empty (expected a header row)", c->name);
		goto fail;
	}
	c->in_header = false;
	c->rec_ready = false;
	c->want = xcalloc((size_t)c->ncols, sizeof(*c->want));
	c->has = xcalloc((size_t)c->ncols, sizeof(*c->has));
	c->off = xcalloc((size_t)c->ncols, sizeof(*c->off));
	c->len = xcalloc((size_t)c->ncols, sizeof(*c->len));
	*out = c;
	return 0;
fail:
	csvin_free(c);
	return rc;
}

int
csvin_open_fp(struct csvin **out, FILE *fp, const char *name, struct err *err)
{
	struct csvin *c = xcalloc(1, sizeof(*c));

	*out = NULL;
	c->fp = fp;
	c->name = xstrdup(name);
	return open_common(c, out, err);
}

int
csvin_open(struct csvin **out, const char *path, struct err *err)
{
	FILE *fp = fopen(path, "rb");
	int rc;

	*out = NULL;
	if (fp == NULL)
		return err_set(err, RC_INPUT, "cannot open '%s': %s", path, strerror(errno));
	rc = csvin_open_fp(out, fp, path, err);
	if (rc < 0)
		fclose(fp);
	else
		(*out)->own_fp = true;
	return rc;
}

int
csvin_open_mem(struct csvin **out, const void *data, size_t len, const char *name,
	       struct err *err)
{
	struct csvin *c = xcalloc(1, sizeof(*c));
	static const unsigned char empty[1];

	*out = NULL;
	c->mem = data ? data : empty;
	c->mem_len = len;
	c->name = xstrdup(name);
	return open_common(c, out, err);
}

void
csvin_free(struct csvin *c)
{
	if (c == NULL)
		return;
	if (c->p_init)
		csv_free(&c->p);
	if (c->own_fp)
		fclose(c->fp);
	for (int i = 0; i < c->ncols; i++) {
		free(c->cols[i]);
		free(c->norm[i]);
	}
	free(c->cols);
	free(c->norm);
	free(c->want);
	free(c->has);
	free(c->off);
	free(c->len);
	buf_release(&c->arena);
	buf_release(&c->conv);
	free(c->chunk);
	free(c->name);
	free(c);
}

int
csvin_ncols(const struct csvin *c)
{
	return c->ncols;
}

const char *
csvin_colname(const struct csvin *c, int col)
{
	return col >= 0 && col < c->ncols ? c->cols[col] : "";
}

const char *
csvin_name(const struct csvin *c)
{
	return c->name;
}

int
csvin_find(const struct csvin *c, const char *const *names)
{
	for (const char *const *n = names; *n; n++) {
		char want[128];
		size_t l = strlen(*n);
		if (l >= sizeof(want))
			continue;
		csvin_norm(*n, l, want);
		for (int i = 0; i < c->ncols; i++)
			if (strcmp(c->norm[i], want) == 0)
				return i;
	}
	return -1;
}

void
csvin_want(struct csvin *c, int col)
{
	if (col >= 0 && col < c->ncols)
		c->want[col] = true;
}

char
csvin_delim(const struct csvin *c)
{
	return c->delim;
}

int
csvin_next(struct csvin *c, struct err *err)
{
	int rc;

	for (;;) {
		buf_reset(&c->arena);
		memset(c->has, 0, (size_t)c->ncols * sizeof(*c->has));
		c->field = 0;
		c->nonempty = false;
		c->rec_ready = false;
		if ((rc = feed(c, err)) < 0)
			return rc;
		if (!c->rec_ready)
			return 0;
		if (c->nonempty)
			break;
	}
	c->rows++;
	return 1;
}

const char *
csvin_field(const struct csvin *c, int col)
{
	if (col < 0 || col >= c->ncols || !c->has[col])
		return "";
	return c->arena.ptr + c->off[col];
}

size_t
csvin_field_len(const struct csvin *c, int col)
{
	if (col < 0 || col >= c->ncols || !c->has[col])
		return 0;
	return c->len[col];
}

long
csvin_line(const struct csvin *c)
{
	return c->rec_line;
}

long
csvin_rows(const struct csvin *c)
{
	return c->rows;
}

int
csvin_fail(const struct csvin *c, int col, struct err *err, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (col >= 0)
		return err_set(err, RC_PARSE, "%s:%ld: column %d ('%.60s'): %s", c->name,
			       c->rec_line, col + 1, csvin_colname(c, col), msg);
	return err_set(err, RC_PARSE, "%s:%ld: %s", c->name, c->rec_line, msg);
}

bool
csvin_number(const char *s, char dec, double *out)
{
	char grp = dec == ',' ? '.' : ',';
	char tmp[128];
	size_t n = 0, len = strlen(s);
	size_t digits = 0, group_len = 0, ngroups = 0;
	bool grouped = false;
	const char *p;

	trim(&s, &len);
	if (len == 0 || len >= sizeof(tmp) - 1)
		return false;
	p = s;
	const char *end = s + len;
	if (p < end && (*p == '-' || *p == '+'))
		tmp[n++] = *p++;
	/* integer part, maybe grouped */
	size_t first_group = 0;
	while (p < end && (isdigit((unsigned char)*p) || *p == grp)) {
		if (*p == grp) {
			if (group_len == 0 || (ngroups == 0 && group_len > 3) ||
			    (ngroups > 0 && group_len != 3))
				return false;
			if (ngroups == 0)
				first_group = group_len;
			ngroups++;
			grouped = true;
			group_len = 0;
		} else {
			tmp[n++] = *p;
			digits++;
			group_len++;
		}
		p++;
	}
	(void)first_group;
	if (grouped && group_len != 3)
		return false;
	bool has_dec = p < end && *p == dec;
	if (grouped && !has_dec)
		return false; /* "1.234" in a decimal-comma file: 1234 or 1.234? */
	if (has_dec) {
		tmp[n++] = '.';
		p++;
		while (p < end && isdigit((unsigned char)*p)) {
			tmp[n++] = *p++;
			digits++;
		}
	}
	if (digits == 0)
		return false;
	if (p < end && (*p == 'e' || *p == 'E')) {
		tmp[n++] = 'e';
		p++;
		if (p < end && (*p == '-' || *p == '+'))
			tmp[n++] = *p++;
		size_t ed = 0;
		while (p < end && isdigit((unsigned char)*p)) {
			tmp[n++] = *p++;
			ed++;
		}
		if (ed == 0)
			return false;
	}
	if (p != end)
		return false;
	tmp[n] = '\0';
	char *e = NULL;
	errno = 0;
	double v = strtod(tmp, &e);
	if (e == NULL || *e != '\0' || !isfinite(v))
		return false;
	*out = v;
	return true;
}

long
csvin_cp1252_line(const struct csvin *c)
{
	return c->cp1252_line;
}

long
csvin_cp1252_fields(const struct csvin *c)
{
	return c->cp1252_fields;
}
