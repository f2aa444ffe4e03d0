/* wcwidth is X/Open */
#define _XOPEN_SOURCE 700

#include "reports/output.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "common/buf.h"
#include "common/xalloc.h"

const char *const out_format_names[] = { "csv", "table", "json", "tsv", NULL };

int
out_format_find(const char *name)
{
	for (int i = 0; out_format_names[i]; i++)
		if (strcmp(out_format_names[i], name) == 0)
			return i;
	return -1;
}

/* ---- display width ------------------------------------------------------------ */

/* C.UTF-8 for wcwidth/mbrtowc whatever LC_ALL says; (locale_t)0 when the C library has none. */
static locale_t
utf8_locale(void)
{
	static locale_t loc;
	static bool tried;

	if (!tried) {
		tried = true;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	return loc;
}

/*
 * The character at s (len > 0 bytes): its length in bytes, its width into *w. Call with the
 * UTF-8 locale in use (or none: then a code point is one column). An invalid byte is one byte
 * of width 1; a control character width 1 (tables print it as a space).
 */
static size_t
char_at(const char *s, size_t len, bool have_locale, size_t *w)
{
	if (!have_locale) {
		size_t n = 1;
		while (n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
			n++;
		*w = 1;
		return n;
	}
	mbstate_t ps;
	wchar_t wc;
	memset(&ps, 0, sizeof(ps));
	size_t n = mbrtowc(&wc, s, len, &ps);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*w = 1;
		return 1;
	}
	int cw = wcwidth(wc);
	*w = cw < 0 ? 1 : (size_t)cw;
	return n;
}

/* Width of s in the locale already in use. */
static size_t
width_in(const char *s, size_t len, bool have_locale)
{
	size_t total = 0, w;

	for (size_t i = 0; i < len;) {
		i += char_at(s + i, len - i, have_locale, &w);
		total += w;
	}
	return total;
}

size_t
out_display_width(const char *s, size_t len)
{
	locale_t loc = utf8_locale();
	locale_t old = loc ? uselocale(loc) : (locale_t)0;
	size_t w = width_in(s, len, loc != (locale_t)0);

	if (loc)
		uselocale(old);
	return w;
}

int
out_terminal_width(FILE *fp)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;

	if (env && *env) {
		char *end;
		long v = strtol(env, &end, 10);
		if (*end == '\0' && v > 0 && v < 100000)
			return (int)v;
	}
	if (isatty(fileno(fp)) && ioctl(fileno(fp), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

/* ---- writing ------------------------------------------------------------------ */

static void
put(struct out *o, const char *s, size_t n)
{
	if (n && fwrite(s, 1, n, o->fp) != n && !o->failed) {
		o->failed = true;
		o->errnum = errno ? errno : EIO;
	}
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* A JSON string: quotes, backslash and control characters escaped, invalid UTF-8 as U+FFFD. */
static void
json_string(struct out *o, const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	buf_addc(&b, '"');
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf_addc(&b, '\\');
			buf_addc(&b, (char)c);
			i++;
		} else if (c < 0x20) {
			static const char esc[] = { 'b', 't', 'n', 0, 'f', 'r' };
			if (c >= 8 && c <= 13 && esc[c - 8])
				buf_printf(&b, "\\%c", esc[c - 8]);
			else
				buf_printf(&b, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			buf_addc(&b, (char)c);
			i++;
		} else {
			/* a well-formed UTF-8 sequence (no overlong forms, no surrogates) */
			size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
			bool good = n > 0 && n <= len - i;
			for (size_t k = 1; good && k < n; k++)
				good = ((unsigned char)s[i + k] & 0xC0) == 0x80;
			if (good && n == 3) {
				unsigned c1 = (unsigned char)s[i + 1];
				good = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
			} else if (good && n == 4) {
				unsigned c1 = (unsigned char)s[i + 1];
				good = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
			}
			if (good) {
				buf_add(&b, s + i, n);
				i += n;
			} else {
				buf_adds(&b, "\\ufffd");
				i++;
			}
		}
	}
	buf_addc(&b, '"');
	put(o, b.ptr, b.len);
	buf_release(&b);
}

/* A TSV value: tab, newline, carriage return and backslash escaped. */
static void
tsv_value(struct out *o, const char *s, size_t len)
{
	size_t from = 0;

	for (size_t i = 0; i < len; i++) {
		const char *esc = s[i] == '\t' ? "\\t" : s[i] == '\n' ? "\\n" : s[i] == '\r' ? "\\r"
				  : s[i] == '\\' ? "\\\\" : NULL;
		if (esc) {
			put(o, s + from, i - from);
			puts_(o, esc);
			from = i + 1;
		}
	}
	put(o, s + from, len - from);
}

void
out_begin(struct out *o, FILE *fp, enum out_format fmt, unsigned flags, const struct out_field *f,
	  size_t nf)
{
	memset(o, 0, sizeof(*o));
	o->fp = fp;
	o->fmt = fmt;
	o->f = f;
	o->nf = nf;
	switch (fmt) {
	case OUT_CSV:
		report_csv_begin(&o->csv, fp, flags & OUT_EXCEL);
		for (size_t i = 0; i < nf; i++)
			report_csv_text(&o->csv, f[i].name, strlen(f[i].name));
		report_csv_end_row(&o->csv);
		break;
	case OUT_JSON:
		puts_(o, "[");
		break;
	case OUT_TABLE:
		o->width = out_terminal_width(fp);
		break;
	case OUT_TSV:
		break;
	}
}

/* Before a cell: the separator, the field name (json). Returns the field. */
static const struct out_field *
next_cell(struct out *o)
{
	const struct out_field *f = o->col < o->nf ? &o->f[o->col] : NULL;

	if (o->fmt == OUT_JSON) {
		puts_(o, o->col == 0 ? (o->rows == 0 ? "\n  {" : ",\n  {") : ", ");
		json_string(o, f ? f->name : "?", f ? strlen(f->name) : 1);
		puts_(o, ": ");
	} else if (o->fmt == OUT_TSV && o->col > 0) {
		puts_(o, "\t");
	}
	o->col++;
	return f;
}

static void
table_cell(struct out *o, const char *s, size_t len)
{
	if (o->ncells == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 64;
		o->cells = xrealloc(o->cells, o->cap * sizeof(*o->cells));
	}
	char *copy = NULL;
	if (s) {
		copy = xmalloc(len + 1);
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	o->cells[o->ncells++].s = copy;
}

void
out_text(struct out *o, const char *s, size_t len)
{
	if (s == NULL)
		len = 0;
	switch (o->fmt) {
	case OUT_CSV:
		o->col++;
		report_csv_text(&o->csv, s, len);
		break;
	case OUT_TABLE:
		o->col++;
		table_cell(o, len ? s : NULL, len);
		break;
	case OUT_JSON:
		next_cell(o);
		json_string(o, s ? s : "", len);
		break;
	case OUT_TSV:
		next_cell(o);
		tsv_value(o, s, len);
		break;
	}
}

void
out_str(struct out *o, const char *s)
{
	if (s && *s)
		out_text(o, s, strlen(s));
	else
		out_null(o);
}

/* A number already formatted: bare in every format. */
static void
out_number(struct out *o, const char *num)
{
	if (o->fmt == OUT_TABLE) {
		o->col++;
		table_cell(o, num, strlen(num));
		return;
	}
	next_cell(o);
	puts_(o, num);
}

void
out_int(struct out *o, int64_t v)
{
	char num[32];

	if (o->fmt == OUT_CSV) {
		o->col++;
		report_csv_int(&o->csv, v);
		return;
	}
	snprintf(num, sizeof(num), "%" PRId64, v);
	out_number(o, num);
}

void
out_money(struct out *o, double v)
{
	char num[32];

	if (o->fmt == OUT_CSV) {
		o->col++;
		report_csv_money(&o->csv, v);
		return;
	}
	csv_format_money(v, num, sizeof(num));
	out_number(o, num);
}

void
out_null(struct out *o)
{
	switch (o->fmt) {
	case OUT_CSV:
		o->col++;
		report_csv_empty(&o->csv);
		break;
	case OUT_TABLE:
		o->col++;
		table_cell(o, NULL, 0);
		break;
	case OUT_JSON: {
		const struct out_field *f = next_cell(o);
		puts_(o, f && f->type != OUT_T_TEXT ? "null" : "\"\"");
		break;
	}
	case OUT_TSV:
		next_cell(o);
		break;
	}
}

void
out_end_row(struct out *o)
{
	/* a short row (a caller's mistake) is padded so every format stays rectangular */
	while (o->col < o->nf)
		out_null(o);
	switch (o->fmt) {
	case OUT_CSV:
		report_csv_end_row(&o->csv);
		break;
	case OUT_JSON:
		puts_(o, "}");
		break;
	case OUT_TSV:
		puts_(o, "\n");
		break;
	case OUT_TABLE:
		break;
	}
	o->col = 0;
	o->rows++;
}

/* ---- table -------------------------------------------------------------------- */

struct tcol {
	size_t w;	/* width given */
	size_t floor;	/* narrowest it may become */
	size_t cmd;	/* the widest backticked command (wrapped columns) */
	bool wrap;	/* free text: wrapped; else truncated with "…" */
};

/* The widest backticked span of s (backticks included): the narrowest a wrapped column can be. */
static size_t
widest_command(const char *s, bool loc)
{
	size_t best = 0;

	for (const char *p = strchr(s, '`'); p; p = strchr(p, '`')) {
		const char *e = strchr(p + 1, '`');
		if (e == NULL)
			break;
		size_t w = width_in(p, (size_t)(e + 1 - p), loc);
		if (w > best)
			best = w;
		p = e + 1;
	}
	return best;
}

/* Append s truncated to w columns ("…" in the last when it does not fit) to b. */
static void
truncated(struct buf *b, const char *s, size_t w, bool loc)
{
	size_t len = strlen(s), used = 0, cw;

	if (width_in(s, len, loc) <= w) {
		buf_add(b, s, len);
		return;
	}
	for (size_t i = 0; i < len;) {
		size_t n = char_at(s + i, len - i, loc, &cw);
		if (used + cw + 1 > w)
			break;
		buf_add(b, s + i, n);
		used += cw;
		i += n;
	}
	buf_adds(b, "…");
}

/*
 * s word-wrapped to w columns into b, lines separated by '\n'; returns the line count. A
 * backticked command is one word (a line of its own when it is too long to share one); a
 * word wider than w outside backticks is cut at w.
 */
static size_t
wrapped(struct buf *b, const char *s, size_t w, bool loc)
{
	size_t lines = 1, used = 0, cw;
	const char *p = s;

	while (*p) {
		if (*p == '\n') {
			buf_addc(b, '\n');
			lines++;
			used = 0;
			p++;
			continue;
		}
		if (*p == ' ') {
			p++;
			continue;
		}
		const char *e = p;
		bool tick = false, has_tick = false;
		while (*e && *e != '\n' && (tick || *e != ' ')) {
			if (*e == '`') {
				tick = !tick;
				has_tick = true;
			}
			e++;
		}
		size_t tw = width_in(p, (size_t)(e - p), loc);
		if (used > 0 && used + 1 + tw > w) {
			buf_addc(b, '\n');
			lines++;
			used = 0;
		} else if (used > 0) {
			buf_addc(b, ' ');
			used++;
		}
		if (tw <= w || has_tick) {
			buf_add(b, p, (size_t)(e - p));
			used += tw;
		} else {
			for (const char *q = p; q < e;) {
				size_t n = char_at(q, (size_t)(e - q), loc, &cw);
				if (used > 0 && used + cw > w) {
					buf_addc(b, '\n');
					lines++;
					used = 0;
				}
				buf_add(b, q, n);
				used += cw;
				q += n;
			}
		}
		p = e;
	}
	return lines;
}

/* Pad b with spaces from width have to want. */
static void
pad(struct buf *b, size_t have, size_t want)
{
	while (have++ < want)
		buf_addc(b, ' ');
}

/* The cells of one row as lines, aligned, trailing spaces trimmed; the header is never wrapped. */
static void
table_row(struct out *o, char *const *cells, const struct tcol *c, size_t gap, bool loc,
	  bool header)
{
	struct buf *lines = xcalloc(o->nf, sizeof(*lines));
	const char **at = xcalloc(o->nf, sizeof(*at));
	struct buf row = BUF_INIT;
	size_t height = 1;

	for (size_t i = 0; i < o->nf; i++) {
		const char *s = cells[i] ? cells[i] : "";
		size_t n = c[i].wrap && !header ? wrapped(&lines[i], s, c[i].w, loc)
				     : (truncated(&lines[i], s, c[i].w, loc), 1);
		if (n > height)
			height = n;
		at[i] = buf_cstr(&lines[i]);
	}
	for (size_t k = 0; k < height; k++) {
		buf_reset(&row);
		for (size_t i = 0; i < o->nf; i++) {
			const char *e = at[i] ? strchr(at[i], '\n') : NULL;
			size_t n = at[i] ? (e ? (size_t)(e - at[i]) : strlen(at[i])) : 0;
			if (i > 0)
				pad(&row, 0, gap);
			if (n)
				buf_add(&row, at[i], n);
			pad(&row, n ? width_in(at[i], n, loc) : 0, c[i].w);
			at[i] = e ? e + 1 : NULL;
		}
		while (row.len > 0 && row.ptr[row.len - 1] == ' ')
			row.len--;
		buf_addc(&row, '\n');
		put(o, row.ptr, row.len);
	}
	for (size_t i = 0; i < o->nf; i++)
		buf_release(&lines[i]);
	buf_release(&row);
	free(lines);
	free(at);
}

static void
table_write(struct out *o)
{
	locale_t l = utf8_locale();
	locale_t old = l ? uselocale(l) : (locale_t)0;
	bool loc = l != (locale_t)0;
	struct tcol *c = xcalloc(o->nf ? o->nf : 1, sizeof(*c));
	char **head = xcalloc(o->nf ? o->nf : 1, sizeof(*head));
	size_t rows = o->nf ? o->ncells / o->nf : 0;

	/* Control characters print as spaces; a line break is kept in free text only. */
	for (size_t i = 0; i < o->nf; i++) {
		head[i] = (char *)o->f[i].name;
		c[i].w = width_in(head[i], strlen(head[i]), loc);
		for (size_t r = 0; r < rows; r++) {
			const char *s = o->cells[r * o->nf + i].s;
			if (s && (strchr(s, '`') || (strchr(s, ' ') && strlen(s) > 40)))
				c[i].wrap = true;
		}
		size_t cmd = 0;
		for (size_t r = 0; r < rows; r++) {
			char *s = o->cells[r * o->nf + i].s;
			if (s == NULL)
				continue;
			for (char *p = s; *p; p++)
				if ((unsigned char)*p < 0x20 && !(*p == '\n' && c[i].wrap))
					*p = ' ';
			for (char *line = s; line;) {
				char *e = strchr(line, '\n');
				size_t w = width_in(line, e ? (size_t)(e - line) : strlen(line), loc);
				if (w > c[i].w)
					c[i].w = w;
				line = e ? e + 1 : NULL;
			}
			if (c[i].wrap) {
				size_t wc = widest_command(s, loc);
				if (wc > cmd)
					cmd = wc;
			}
		}
		c[i].cmd = cmd;
		c[i].cmd = cmd;
		c[i].floor = c[i].wrap ? (c[i].w < 20 ? c[i].w : cmd > 20 ? cmd : 20)
				       : (c[i].w < 6 ? c[i].w : 6);
		if (c[i].floor > c[i].w)
			c[i].floor = c[i].w;
	}
	/*
	 * Fit the terminal: narrow the widest column that may still narrow, one column at a time,
	 * first to the floors above, then (many columns) to the last ones: two columns for a cut
	 * cell ("x…"), the widest command or 8 for free text; then one space between columns
	 * instead of two. What still does not fit runs over.
	 */
	size_t gap = 2;
	if (o->width > 0 && o->nf > 0) {
		size_t sum = 2 * (o->nf - 1), avail = (size_t)o->width;
		for (size_t i = 0; i < o->nf; i++)
			sum += c[i].w;
		for (int pass = 0; pass < 3 && sum > avail; pass++) {
			if (pass == 1)
				for (size_t i = 0; i < o->nf; i++)
					if (c[i].floor > 2 && (!c[i].wrap || c[i].floor > 8))
						c[i].floor = c[i].wrap ? (c[i].cmd > 8 ? c[i].cmd : 8) : 2;
			if (pass == 2) {
				/* back to the floors of pass 1 with the room one space less per gap gives */
				gap = 1;
				sum -= o->nf - 1;
			}
			while (sum > avail) {
				size_t best = o->nf;
				for (size_t i = 0; i < o->nf; i++)
					if (c[i].w > c[i].floor && (best == o->nf || c[i].w > c[best].w))
						best = i;
				if (best == o->nf)
					break;
				c[best].w--;
				sum--;
			}
		}
	}
	table_row(o, head, c, gap, loc, true);
	char **cells = xcalloc(o->nf ? o->nf : 1, sizeof(*cells));
	for (size_t r = 0; r < rows; r++) {
		for (size_t i = 0; i < o->nf; i++)
			cells[i] = o->cells[r * o->nf + i].s;
		table_row(o, cells, c, gap, loc, false);
	}
	free(cells);
	free(head);
	free(c);
	if (l)
		uselocale(old);
}

int
out_end(struct out *o)
{
	if (o->col > 0)
		out_end_row(o);
	switch (o->fmt) {
	case OUT_CSV:
		if (report_csv_end(&o->csv) < 0 && !o->failed) {
			o->failed = true;
			o->errnum = o->csv.errnum;
		}
		return o->failed ? -1 : 0;
	case OUT_JSON:
		puts_(o, o->rows ? "\n]\n" : "]\n");
		break;
	case OUT_TABLE:
		table_write(o);
		for (size_t i = 0; i < o->ncells; i++)
			free(o->cells[i].s);
		free(o->cells);
		o->cells = NULL;
		o->ncells = o->cap = 0;
		break;
	case OUT_TSV:
		break;
	}
	if ((fflush(o->fp) != 0 || ferror(o->fp)) && !o->failed) {
		o->failed = true;
		o->errnum = errno ? errno : EIO;
	}
	return o->failed ? -1 : 0;
}
