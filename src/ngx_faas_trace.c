
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <jansson.h>

#include "ngx_faas.h"
#include "ngx_faas_trace.h"


/* a bigger map is not read: the bundle line is shown instead */
#define NGX_FAAS_TRACE_MAP_MAX   (8 * 1024 * 1024)

#define NGX_FAAS_STASH_MAPS      DUK_HIDDEN_SYMBOL("faasMaps")


/* a decoded map: per generated line, the source (+1, 0: none) and line */
typedef struct {
    uint32_t                   lines;
    uint32_t                  *table;
    json_t                    *sources;
} ngx_faas_trace_map_t;


/*
 * a word that is a keyword of ES2015+ when followed by one of next, or,
 * if ident is set, by white space and an identifier
 */
typedef struct {
    const char                *word;
    const char                *next;
    ngx_uint_t                 ident;
    const char                *name;
} ngx_faas_trace_keyword_t;


static duk_bool_t ngx_faas_trace_frame(duk_context *duk, const char *p,
    size_t len, const char *root, size_t rlen, const char *indent);
static duk_bool_t ngx_faas_trace_map(duk_context *duk, const char *file,
    size_t flen, unsigned long line);
static duk_ret_t ngx_faas_trace_load(duk_context *duk, void *data);
static duk_ret_t ngx_faas_trace_keep(duk_context *duk, void *data);
static ngx_int_t ngx_faas_trace_decode(ngx_faas_trace_map_t *map,
    const char *p);
static ngx_int_t ngx_faas_trace_vlq(const char **pp, const char *end,
    int32_t *v);
static const char *ngx_faas_trace_line(const char *p, const char *end);
static ngx_uint_t ngx_faas_trace_ident(u_char c);
static ngx_uint_t ngx_faas_trace_word(const char *w, const char *end,
    const char *word);
static ngx_uint_t ngx_faas_trace_next(const char *p, const char *end,
    const char *chars, ngx_uint_t ident);
static ngx_uint_t ngx_faas_trace_for_of(const char *start, const char *of);


static ngx_faas_trace_keyword_t  ngx_faas_trace_keywords[] = {
    { "let", "[{", 1, "let" },
    { "class", "", 1, "class" },
    { "async", "", 1, "async function" },
    { "await", "", 1, "await" },
    { "export", "{*", 1, "export" },
    { "import", "{*'\"", 1, "import" },
    { "function", "*", 0, "generator" },
    { NULL, NULL, 0, NULL }
};


/*
 * pushes the stack trace of the error at idx as the logs show it: the
 * message, then the JavaScript frames only ("at name (file:line)"), file
 * names relative to the app root and bundle lines mapped to their source
 * through the source map beside the bundle; the frames of the engine and
 * of C functions (their file is a .c file of a build, or none) are left
 * out, as are the frame flags; flat, the lines are joined by " | " for
 * one log line
 */

void
ngx_faas_trace_push(duk_context *duk, duk_idx_t idx, ngx_uint_t flat)
{
    size_t       len, rlen;
    duk_idx_t    n;
    const char  *s, *p, *end, *nl, *root;

    idx = duk_normalize_index(duk, idx);

    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_STASH_ROOT);
    root = duk_get_lstring(duk, -1, &rlen);
    if (root == NULL) {
        root = "";
        rlen = 0;
    }

    duk_dup(duk, idx);
    (void) duk_safe_to_stacktrace(duk, -1);
    s = duk_get_lstring(duk, -1, &len);

    /* stack: [ ... stash root trace "\n" line ... ] */

    if (flat) {
        duk_push_literal(duk, " | ");

    } else {
        duk_push_literal(duk, "\n");
    }

    n = 0;

    p = s;
    end = s + len;

    while (p < end) {
        nl = (const char *) ngx_strlchr((u_char *) p, (u_char *) end, '\n');
        if (nl == NULL) {
            nl = end;
        }

        /* a frame and its source map lookup */
        duk_require_stack(duk, 8);

        if (nl - p > 7 && ngx_strncmp(p, "    at ", 7) == 0) {
            n += ngx_faas_trace_frame(duk, p + 7, nl - p - 7, root, rlen,
                                      flat ? "" : "    ");

        } else if (flat) {
            while (p < nl && (*p == ' ' || *p == '\t')) {
                p++;
            }

            if (p < nl) {
                duk_push_lstring(duk, p, nl - p);
                n++;
            }

        } else {
            duk_push_lstring(duk, p, nl - p);
            n++;
        }

        p = nl + 1;
    }

    duk_join(duk, n);

    /* stack: [ ... stash root trace joined ] */

    duk_replace(duk, -4);
    duk_pop_2(duk);
}


/* pushes a file name as the logs show it: relative to the app root */

void
ngx_faas_trace_file(duk_context *duk, const char *file)
{
    size_t       rlen;
    const char  *root;

    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_STASH_ROOT);
    root = duk_get_lstring(duk, -1, &rlen);

    if (root && rlen && ngx_strncmp(file, root, rlen) == 0
        && file[rlen] == '/')
    {
        file += rlen + 1;
    }

    duk_pop_2(duk);
    duk_push_string(duk, file);
}


/* "name (file:line)flags": pushes "    at name (file:line)", or nothing */

static duk_bool_t
ngx_faas_trace_frame(duk_context *duk, const char *p, size_t len,
    const char *root, size_t rlen, const char *indent)
{
    const char     *open, *close, *colon, *file, *q;
    unsigned long   line;

    open = NULL;

    for (q = p + len; q > p; q--) {
        if (q[-1] == '(') {
            open = q - 1;
            break;
        }
    }

    if (open == NULL || open == p) {
        /* a light function: no file */
        return 0;
    }

    close = (const char *) ngx_strlchr((u_char *) open, (u_char *) p + len,
                                       ')');
    if (close == NULL) {
        return 0;
    }

    colon = NULL;

    for (q = close; q > open + 1; q--) {
        if (q[-1] == ':') {
            colon = q - 1;
            break;
        }
    }

    /* a native function has no line; an engine or C frame is a .c file */

    if (colon == NULL || colon + 1 == close
        || (colon - open > 2 && colon[-2] == '.' && colon[-1] == 'c'))
    {
        return 0;
    }

    line = 0;

    for (q = colon + 1; q < close; q++) {
        if (*q < '0' || *q > '9') {
            return 0;
        }

        line = line * 10 + (*q - '0');
    }

    file = open + 1;

    if (ngx_faas_trace_map(duk, file, colon - file, line)) {
        /* stack: [ ... source line ] */
        duk_push_sprintf(duk, "%sat %.*s (%s:%lu)", indent,
                         (int) (open - 1 - p), p, duk_get_string(duk, -2),
                         (unsigned long) duk_get_uint(duk, -1));
        duk_replace(duk, -3);
        duk_pop(duk);
        return 1;
    }

    if (rlen && colon - file > (ssize_t) rlen + 1
        && ngx_strncmp(file, root, rlen) == 0 && file[rlen] == '/')
    {
        file += rlen + 1;
    }

    duk_push_sprintf(duk, "%sat %.*s (%.*s:%lu)", indent,
                     (int) (open - 1 - p), p, (int) (colon - file), file, line);

    return 1;
}


/*
 * pushes the source and line of a line of a bundle, from the source map
 * beside it (file + ".map"), read and decoded once per heap; 0 (nothing
 * pushed) without a map, with one that cannot be read, or for a line it
 * does not map
 */

static duk_bool_t
ngx_faas_trace_map(duk_context *duk, const char *file, size_t flen,
    unsigned long line)
{
    size_t     size;
    uint32_t  *table, src;

    if (line == 0 || flen == 0 || file[0] != '/') {
        return 0;
    }

    duk_push_heap_stash(duk);

    if (!duk_get_prop_literal(duk, -1, NGX_FAAS_STASH_MAPS)) {
        duk_pop(duk);
        duk_push_bare_object(duk);
        duk_dup_top(duk);
        duk_put_prop_literal(duk, -3, NGX_FAAS_STASH_MAPS);
    }

    duk_push_lstring(duk, file, flen);
    duk_dup_top(duk);

    /* stack: [ ... stash maps file file ] */

    if (!duk_get_prop(duk, -3)) {
        duk_pop(duk);

        /* a map that cannot be read or decoded is remembered as false */

        duk_dup_top(duk);

        if (duk_safe_call(duk, ngx_faas_trace_load, NULL, 1, 1)
            != DUK_EXEC_SUCCESS)
        {
            duk_pop(duk);
            duk_push_false(duk);
        }

        duk_dup(duk, -2);
        duk_dup(duk, -2);
        duk_put_prop(duk, -5);
    }

    /* stack: [ ... stash maps file map|false ] */

    if (!duk_is_object(duk, -1)) {
        duk_pop_n(duk, 4);
        return 0;
    }

    duk_get_prop_literal(duk, -1, "m");
    table = duk_get_buffer_data(duk, -1, &size);
    duk_pop(duk);

    if (table == NULL || line > size / (2 * sizeof(uint32_t))
        || table[2 * (line - 1)] == 0)
    {
        duk_pop_n(duk, 4);
        return 0;
    }

    src = table[2 * (line - 1)] - 1;

    duk_get_prop_literal(duk, -1, "s");
    duk_get_prop_index(duk, -1, src);

    if (!duk_is_string(duk, -1)) {
        duk_pop_n(duk, 6);
        return 0;
    }

    duk_push_uint(duk, table[2 * (line - 1) + 1] + 1);

    /* stack: [ ... stash maps file map sources source line ] */

    duk_replace(duk, -6);
    duk_replace(duk, -6);
    duk_pop_3(duk);

    return 1;
}


/*
 * [ ... file ] -> [ ... { s: sources, m: table } ], throws if there is no
 * usable map; the map is read and decoded outside the heap, then copied in
 * by a safe call, so a heap out of memory cannot leak the JSON
 */

static duk_ret_t
ngx_faas_trace_load(duk_context *duk, void *data)
{
    json_t                *json, *mappings;
    duk_int_t              rc;
    const char            *s;
    struct stat            st;
    json_error_t           err;
    ngx_faas_trace_map_t   map;

    /* a safe call sees the caller's whole frame: the file is on top */

    s = duk_push_sprintf(duk, "%s.map", duk_get_string(duk, -1));

    if (stat(s, &st) != 0 || !S_ISREG(st.st_mode)
        || st.st_size > NGX_FAAS_TRACE_MAP_MAX)
    {
        return DUK_RET_ERROR;
    }

    json = json_load_file(s, 0, &err);
    if (json == NULL) {
        return DUK_RET_ERROR;
    }

    ngx_memzero(&map, sizeof(ngx_faas_trace_map_t));

    map.sources = json_object_get(json, "sources");
    mappings = json_object_get(json, "mappings");

    rc = DUK_EXEC_ERROR;

    if (json_is_object(json)
        && json_integer_value(json_object_get(json, "version")) == 3
        && json_is_array(map.sources)
        && json_is_string(mappings)
        && ngx_faas_trace_decode(&map, json_string_value(mappings)) == NGX_OK)
    {
        rc = duk_safe_call(duk, ngx_faas_trace_keep, &map, 0, 1);
    }

    ngx_free(map.table);
    json_decref(json);

    return (rc == DUK_EXEC_SUCCESS) ? 1 : DUK_RET_ERROR;
}


/* pushes { s: sources, m: table } of a decoded map */

static duk_ret_t
ngx_faas_trace_keep(duk_context *duk, void *data)
{
    ngx_faas_trace_map_t  *map = data;

    u_char      *p;
    json_t      *source;
    const char  *s;
    ngx_uint_t   i;

    duk_push_object(duk);

    /* sources: as written, less the "../" and "./" that lead out */

    duk_push_array(duk);

    for (i = 0; i < json_array_size(map->sources); i++) {
        source = json_array_get(map->sources, i);
        s = json_is_string(source) ? json_string_value(source) : "?";

        for ( ;; ) {
            if (ngx_strncmp(s, "../", 3) == 0) {
                s += 3;

            } else if (ngx_strncmp(s, "./", 2) == 0) {
                s += 2;

            } else {
                break;
            }
        }

        duk_push_string(duk, s);
        duk_put_prop_index(duk, -2, i);
    }

    duk_put_prop_literal(duk, -2, "s");

    p = duk_push_fixed_buffer(duk, map->lines * 2 * sizeof(uint32_t));
    ngx_memcpy(p, map->table, map->lines * 2 * sizeof(uint32_t));
    duk_put_prop_literal(duk, -2, "m");

    return 1;
}


/*
 * "mappings" of a v3 map: lines split by ";", segments by ",", each a
 * run of base64 VLQ fields (column, then source, line and column of the
 * source, then a name), all but the column relative to the segment before
 * across lines; a line is mapped to the source line of its first segment
 */

static ngx_int_t
ngx_faas_trace_decode(ngx_faas_trace_map_t *map, const char *p)
{
    int32_t      f[5], src, line;
    uint32_t     n, i, k, sources;
    const char  *end;

    n = 1;

    for (end = p; *end; end++) {
        if (*end == ';') {
            n++;
        }
    }

    map->table = ngx_alloc(n * 2 * sizeof(uint32_t), ngx_cycle->log);
    if (map->table == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(map->table, n * 2 * sizeof(uint32_t));
    map->lines = n;

    sources = json_array_size(map->sources);
    src = 0;
    line = 0;
    i = 0;

    while (p < end) {

        if (*p == ';') {
            i++;
            p++;
            continue;
        }

        if (*p == ',') {
            p++;
            continue;
        }

        for (k = 0; k < 5 && p < end && *p != ',' && *p != ';'; k++) {
            if (ngx_faas_trace_vlq(&p, end, &f[k]) != NGX_OK) {
                return NGX_ERROR;
            }
        }

        if (p < end && *p != ',' && *p != ';') {
            return NGX_ERROR;
        }

        if (k == 1) {
            continue;
        }

        if (k < 4) {
            return NGX_ERROR;
        }

        src += f[1];
        line += f[2];

        if (src < 0 || (uint32_t) src >= sources || line < 0) {
            return NGX_ERROR;
        }

        if (map->table[2 * i] == 0) {
            map->table[2 * i] = src + 1;
            map->table[2 * i + 1] = line;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_faas_trace_vlq(const char **pp, const char *end, int32_t *v)
{
    u_char       c;
    uint32_t     d, shift, value;
    const char  *p;

    p = *pp;
    value = 0;

    for (shift = 0; shift < 32; shift += 5) {
        if (p == end) {
            return NGX_ERROR;
        }

        c = *p++;

        if (c >= 'A' && c <= 'Z') {
            d = c - 'A';

        } else if (c >= 'a' && c <= 'z') {
            d = c - 'a' + 26;

        } else if (c >= '0' && c <= '9') {
            d = c - '0' + 52;

        } else if (c == '+') {
            d = 62;

        } else if (c == '/') {
            d = 63;

        } else {
            return NGX_ERROR;
        }

        value |= (d & 31) << shift;

        if (!(d & 32)) {
            *pp = p;
            *v = (value & 1) ? -(int32_t) (value >> 1)
                             : (int32_t) (value >> 1);
            return NGX_OK;
        }
    }

    return NGX_ERROR;
}


/*
 * the ES2015+ construct on the line a compile error names, or on the one
 * before it (an unfinished statement is reported where it ends), if there
 * is one; NULL when both lines are plain ES5 outside strings and comments,
 * so an ES5 syntax error keeps its own message
 */

const char *
ngx_faas_trace_es2015(const char *src, size_t len, ngx_uint_t line)
{
    const char  *p, *end, *found;
    ngx_uint_t   n;

    p = src;
    end = src + len;
    found = NULL;

    for (n = 1; p < end && n <= line; n++) {
        src = p;

        p = (const char *) ngx_strlchr((u_char *) p, (u_char *) end, '\n');
        p = (p == NULL) ? end : p + 1;

        if (n + 1 >= line && found == NULL) {
            found = ngx_faas_trace_line(src, p);
        }
    }

    return found;
}


static const char *
ngx_faas_trace_line(const char *p, const char *end)
{
    u_char                      c, q;
    const char                 *w, *start;
    ngx_faas_trace_keyword_t   *k;

    start = p;

    while (p < end) {
        c = *p;

        if (c == '\'' || c == '"') {
            for (q = c, p++; p < end && *p != q && *p != '\n'; p++) {
                if (*p == '\\') {
                    p++;
                }
            }

            p++;
            continue;
        }

        if (c == '/' && p + 1 < end && p[1] == '/') {
            return NULL;
        }

        if (c == '/' && p + 1 < end && p[1] == '*') {
            for (p += 2; p + 1 < end && !(p[0] == '*' && p[1] == '/'); p++) {
                /* void */
            }

            p += 2;
            continue;
        }

        if (c == '`') {
            return "template literal";
        }

        if (c == '=' && p + 1 < end && p[1] == '>') {
            return "arrow function";
        }

        if (c == '.' && p + 2 < end && p[1] == '.' && p[2] == '.') {
            return "spread";
        }

        if (!ngx_faas_trace_ident(c)) {
            p++;
            continue;
        }

        /* a word: a keyword of ES2015+ followed by what makes it one */

        for (w = p; p < end && ngx_faas_trace_ident(*p); p++) {
            /* void */
        }

        if (w > start && w[-1] == '.') {
            /* a property named so */
            continue;
        }

        for (k = ngx_faas_trace_keywords; k->word; k++) {
            if (ngx_faas_trace_word(w, p, k->word)
                && ngx_faas_trace_next(p, end, k->next, k->ident))
            {
                return k->name;
            }
        }

        if (ngx_faas_trace_word(w, p, "of")
            && ngx_faas_trace_for_of(start, w))
        {
            return "for-of";
        }
    }

    return NULL;
}


static ngx_uint_t
ngx_faas_trace_ident(u_char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '_' || c == '$';
}


static ngx_uint_t
ngx_faas_trace_word(const char *w, const char *end, const char *word)
{
    size_t  len;

    len = ngx_strlen(word);

    return (size_t) (end - w) == len && ngx_strncmp(w, word, len) == 0;
}


/* what follows a word makes it a keyword (ngx_faas_trace_keyword_t) */

static ngx_uint_t
ngx_faas_trace_next(const char *p, const char *end, const char *chars,
    ngx_uint_t ident)
{
    const char  *s;

    for (s = p; p < end && (*p == ' ' || *p == '\t'); p++) {
        /* void */
    }

    if (p == end) {
        return 0;
    }

    if (*p != '\0' && ngx_strlchr((u_char *) chars,
                                  (u_char *) chars + ngx_strlen(chars), *p))
    {
        return 1;
    }

    return ident && p > s && ngx_faas_trace_ident(*p)
           && !(*p >= '0' && *p <= '9');
}


/* "of" in "for (x of", "for (var x of": a for-of loop */

static ngx_uint_t
ngx_faas_trace_for_of(const char *start, const char *of)
{
    ngx_uint_t   words;
    const char  *p;

    p = of;
    words = 0;

    while (p > start) {
        while (p > start && (p[-1] == ' ' || p[-1] == '\t')) {
            p--;
        }

        if (p > start && p[-1] == '(') {
            break;
        }

        if (p == start || !ngx_faas_trace_ident(p[-1]) || ++words > 2) {
            return 0;
        }

        while (p > start && ngx_faas_trace_ident(p[-1])) {
            p--;
        }
    }

    if (words == 0 || p == start) {
        return 0;
    }

    for (p--; p > start && (p[-1] == ' ' || p[-1] == '\t'); p--) {
        /* void */
    }

    return p - start >= 3 && ngx_strncmp(p - 3, "for", 3) == 0
           && (p - 3 == start || !ngx_faas_trace_ident(p[-4]));
}
