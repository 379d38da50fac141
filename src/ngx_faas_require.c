
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_faas.h"
#include "ngx_faas_require.h"
#include "ngx_faas_stats.h"
#include "ngx_faas_trace.h"
#include "ngx_faas_vm.h"


#define NGX_FAAS_NAME_MAX       255

#define NGX_FAAS_REQUIRE_DIR    DUK_HIDDEN_SYMBOL("faasDir")

/* "<dir of the requiring module>/<id>" -> the canonical path it resolved to */
#define NGX_FAAS_STASH_RESOLVED DUK_HIDDEN_SYMBOL("faasResolved")

/* faas_functions_max: name -> [last use, path]; the cap, clock, count */
#define NGX_FAAS_STASH_LRU      DUK_HIDDEN_SYMBOL("faasLru")
#define NGX_FAAS_STASH_LRU_MAX  DUK_HIDDEN_SYMBOL("faasLruMax")
#define NGX_FAAS_STASH_LRU_TICK DUK_HIDDEN_SYMBOL("faasLruTick")
#define NGX_FAAS_STASH_LRU_N    DUK_HIDDEN_SYMBOL("faasLruCount")

/* on one line with the module's first line, so line numbers stay true */
#define NGX_FAAS_WRAP_HEAD                                                    \
    "function (exports, require, module, __filename, __dirname) {"
#define NGX_FAAS_WRAP_TAIL      "\n}"


static ngx_int_t ngx_faas_require_find_function(duk_context *duk,
    ngx_str_t *name);
static ngx_int_t ngx_faas_require_cached(duk_context *duk);
static void ngx_faas_require_used(duk_context *duk, ngx_str_t *name,
    duk_idx_t path);
static void ngx_faas_require_remember(duk_context *duk, duk_idx_t base,
    duk_idx_t path);
static ngx_int_t ngx_faas_require_resolve(duk_context *duk, const char *base,
    const char *ext);
static duk_ret_t ngx_faas_require_js(duk_context *duk);
static void ngx_faas_require_load(duk_context *duk, duk_idx_t path);
static void ngx_faas_require_run(duk_context *duk, duk_idx_t path);
static void ngx_faas_require_compile(duk_context *duk, duk_idx_t path);
static void ngx_faas_require_read(duk_context *duk, const char *path);
static void ngx_faas_require_pick(duk_context *duk, ngx_str_t *name,
    duk_idx_t path);


/*
 * a function name is [A-Za-z0-9_-] segments joined by "/": no dot at all,
 * so neither "..", nor an extension, nor a hidden file can be named
 */

ngx_int_t
ngx_faas_require_name_valid(ngx_str_t *name)
{
    u_char      c, prev;
    ngx_uint_t  i;

    static ngx_str_t  hooks[] = {
        ngx_string("__init__"),
        ngx_string("__interceptor__")
    };

    if (name->len == 0 || name->len > NGX_FAAS_NAME_MAX) {
        return 0;
    }

    prev = '/';

    for (i = 0; i < name->len; i++) {
        c = name->data[i];

        if (c == '/') {
            if (prev == '/') {
                return 0;
            }

        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                     || (c >= '0' && c <= '9') || c == '_' || c == '-'))
        {
            return 0;
        }

        prev = c;
    }

    if (prev == '/') {
        return 0;
    }

    /* the app's hooks (hooks.c) are not functions to call by name */

    for (i = 0; i < 2; i++) {
        if (name->len >= hooks[i].len
            && ngx_strncmp(name->data, hooks[i].data, hooks[i].len) == 0
            && (name->len == hooks[i].len
                || name->data[hooks[i].len] == '/'))
        {
            return 0;
        }
    }

    return 1;
}


void
ngx_faas_require_init(duk_context *duk, ngx_str_t *root, ngx_uint_t max)
{
    duk_push_heap_stash(duk);

    duk_push_bare_object(duk);
    duk_put_prop_literal(duk, -2, NGX_FAAS_STASH_LRU);
    duk_push_uint(duk, max);
    duk_put_prop_literal(duk, -2, NGX_FAAS_STASH_LRU_MAX);
    duk_push_uint(duk, 0);
    duk_put_prop_literal(duk, -2, NGX_FAAS_STASH_LRU_TICK);
    duk_push_uint(duk, 0);
    duk_put_prop_literal(duk, -2, NGX_FAAS_STASH_LRU_N);

    duk_push_lstring(duk, (char *) root->data, root->len);
    duk_put_prop_literal(duk, -2, NGX_FAAS_STASH_ROOT);

    duk_push_bare_object(duk);
    duk_put_prop_literal(duk, -2, NGX_FAAS_STASH_MODULES);

    duk_push_bare_object(duk);
    duk_put_prop_literal(duk, -2, NGX_FAAS_STASH_FUNCTIONS);

    duk_push_bare_object(duk);
    duk_put_prop_literal(duk, -2, NGX_FAAS_STASH_RESOLVED);

    duk_pop(duk);
}


/*
 * pushes the handler of a function, loading its module on first use;
 * NGX_DECLINED (nothing pushed) when there is no such function
 */

ngx_int_t
ngx_faas_require_function(duk_context *duk, ngx_str_t *name)
{
    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_STASH_FUNCTIONS);
    duk_push_lstring(duk, (char *) name->data, name->len);

    /* stack: [ stash functions name ] */

    if (duk_get_prop(duk, -2)) {
        duk_replace(duk, -3);
        duk_pop(duk);
        ngx_faas_require_used(duk, name, DUK_INVALID_INDEX);
        return NGX_OK;
    }

    duk_pop_3(duk);

    if (ngx_faas_require_find_function(duk, name) != NGX_OK) {
        return NGX_DECLINED;
    }

    /* stack: [ path ] */

    ngx_faas_require_load(duk, -1);
    ngx_faas_require_pick(duk, name, -2);

    /* stack: [ path handler ] */

    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_STASH_FUNCTIONS);
    duk_push_lstring(duk, (char *) name->data, name->len);
    duk_dup(duk, -4);
    duk_put_prop(duk, -3);
    duk_pop_2(duk);

    ngx_faas_require_used(duk, name, -2);
    duk_remove(duk, -2);

    /* stack: [ handler ] */

    return NGX_OK;
}


/*
 * faas_functions_max: the functions of a heap (components of faas_batch)
 * are kept least recently used first; a function loaded past the cap
 * drops the one used longest ago (its handler and its own module; the
 * modules it required stay cached). path: the function's, when it was
 * just loaded, or DUK_INVALID_INDEX for a use of a cached one
 */

static void
ngx_faas_require_used(duk_context *duk, ngx_str_t *name, duk_idx_t path)
{
    duk_idx_t                 top, stash, lru, victim;
    duk_double_t              max, tick, count, oldest, t;
    ngx_faas_stats_worker_t  *w;

    top = duk_get_top(duk);

    if (path != DUK_INVALID_INDEX) {
        path = duk_normalize_index(duk, path);

        w = ngx_faas_stats_worker();
        if (w) {
            (void) ngx_atomic_fetch_add(&w->function_loads, 1);
        }
    }

    duk_push_heap_stash(duk);
    stash = duk_get_top_index(duk);

    duk_get_prop_literal(duk, stash, NGX_FAAS_STASH_LRU_MAX);
    max = duk_get_number_default(duk, -1, 0);

    if (max == 0) {
        duk_set_top(duk, top);
        return;
    }

    duk_get_prop_literal(duk, stash, NGX_FAAS_STASH_LRU_TICK);
    tick = duk_get_number_default(duk, -1, 0) + 1;
    duk_push_number(duk, tick);
    duk_put_prop_literal(duk, stash, NGX_FAAS_STASH_LRU_TICK);

    duk_get_prop_literal(duk, stash, NGX_FAAS_STASH_LRU);
    lru = duk_get_top_index(duk);

    duk_push_lstring(duk, (char *) name->data, name->len);

    if (path == DUK_INVALID_INDEX) {
        /* stack: [ ... stash max tick lru name ] */
        if (duk_get_prop(duk, lru)) {
            duk_push_number(duk, tick);
            duk_put_prop_index(duk, -2, 0);
        }

        duk_set_top(duk, top);
        return;
    }

    duk_push_array(duk);
    duk_push_number(duk, tick);
    duk_put_prop_index(duk, -2, 0);
    duk_dup(duk, path);
    duk_put_prop_index(duk, -2, 1);

    /* stack: [ ... stash max tick lru name [tick, path] ] */

    duk_put_prop(duk, lru);

    duk_get_prop_literal(duk, stash, NGX_FAAS_STASH_LRU_N);
    count = duk_get_number_default(duk, -1, 0) + 1;
    duk_pop(duk);

    while (count > max) {
        /* the oldest but this one: a scan, the cap is small */

        duk_push_undefined(duk);
        victim = duk_get_top_index(duk);
        oldest = tick;

        duk_enum(duk, lru, DUK_ENUM_OWN_PROPERTIES_ONLY);

        while (duk_next(duk, -1, 1)) {
            /* stack: [ ... victim enum key [tick, path] ] */
            duk_get_prop_index(duk, -1, 0);
            t = duk_get_number_default(duk, -1, tick);
            duk_pop_2(duk);

            if (t < oldest) {
                oldest = t;
                duk_replace(duk, victim);

            } else {
                duk_pop(duk);
            }
        }

        duk_pop(duk);

        if (duk_is_undefined(duk, victim)) {
            break;
        }

        /* stack: [ ... victim ]: FUNCTIONS, MODULES and LRU forget it */

        duk_get_prop_literal(duk, stash, NGX_FAAS_STASH_FUNCTIONS);
        duk_dup(duk, victim);
        duk_del_prop(duk, -2);
        duk_pop(duk);

        duk_get_prop_literal(duk, stash, NGX_FAAS_STASH_MODULES);
        duk_dup(duk, victim);
        duk_get_prop(duk, lru);
        duk_get_prop_index(duk, -1, 1);

        /* stack: [ ... victim modules entry path ] */

        if (duk_del_prop(duk, -3)) {
            ngx_faas_vm_module_removed(duk);
        }

        duk_pop_2(duk);

        duk_dup(duk, victim);
        duk_del_prop(duk, lru);
        duk_pop(duk);

        count--;

        w = ngx_faas_stats_worker();
        if (w) {
            (void) ngx_atomic_fetch_add(&w->function_evictions, 1);
        }
    }

    duk_push_number(duk, count);
    duk_put_prop_literal(duk, stash, NGX_FAAS_STASH_LRU_N);

    duk_set_top(duk, top);
}


/* compiles the module of a function without running it (nginx -t) */

ngx_int_t
ngx_faas_require_check(duk_context *duk, ngx_str_t *name)
{
    if (ngx_faas_require_find_function(duk, name) != NGX_OK) {
        return NGX_DECLINED;
    }

    ngx_faas_require_compile(duk, -1);
    duk_pop_2(duk);

    return NGX_OK;
}


/* pushes the canonical path of <root>/<name>.js or <root>/<name>/index.js */

static ngx_int_t
ngx_faas_require_find_function(duk_context *duk, ngx_str_t *name)
{
    const char  *base;

    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_STASH_ROOT);
    base = duk_push_sprintf(duk, "%s/%.*s", duk_get_string(duk, -1),
                            (int) name->len, name->data);

    /* stack: [ stash root base ] */

    if (ngx_faas_require_resolve(duk, base, ".js") == NGX_OK
        || ngx_faas_require_resolve(duk, base, "/index.js") == NGX_OK)
    {
        /* stack: [ stash root base path ] */
        duk_replace(duk, -4);
        duk_pop_2(duk);
        return NGX_OK;
    }

    duk_pop_3(duk);

    return NGX_DECLINED;
}


/*
 * pushes the canonical path of base + ext if that is a regular file inside
 * the app root (symbolic links are followed, then checked)
 */

static ngx_int_t
ngx_faas_require_resolve(duk_context *duk, const char *base, const char *ext)
{
    int           rc;
    char         *real;
    size_t        len;
    const char   *path, *root;
    struct stat   st;

    path = duk_push_sprintf(duk, "%s%s", base, ext);

    rc = stat(path, &st);

    if (rc != 0 || !S_ISREG(st.st_mode)) {

        /* not "not found": the operator has permissions to mend */

        if (rc != 0 && ngx_errno == NGX_EACCES) {
            (void) duk_error(duk, DUK_ERR_ERROR,
                             "cannot read '%s': permission denied", path);
        }

        duk_pop(duk);
        return NGX_DECLINED;
    }

    real = duk_push_fixed_buffer(duk, PATH_MAX);

    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_STASH_ROOT);
    root = duk_get_lstring(duk, -1, &len);

    /* stack: [ path buffer stash root ] */

    if (realpath(path, real) == NULL
        || ngx_strncmp(real, root, len) != 0
        || real[len] != '/')
    {
        duk_pop_n(duk, 4);
        return NGX_DECLINED;
    }

    duk_pop_2(duk);
    duk_push_string(duk, real);
    duk_replace(duk, -3);
    duk_pop(duk);

    /* stack: [ real ] */

    return NGX_OK;
}


/*
 * require(id): ids are relative to the requiring module, and resolved as
 * id, id.js, id.json, id/index.js, id/index.json inside the app root
 */

static duk_ret_t
ngx_faas_require_js(duk_context *duk)
{
    const char   *id, *dir, *base;
    ngx_uint_t    i;
    static char  *exts[] = { "", ".js", ".json", "/index.js", "/index.json" };

    id = duk_require_string(duk, 0);

    if (ngx_strcmp(id, ".") != 0 && ngx_strcmp(id, "..") != 0
        && ngx_strncmp(id, "./", 2) != 0 && ngx_strncmp(id, "../", 3) != 0)
    {
        return duk_error(duk, DUK_ERR_ERROR,
                         "cannot find module '%s': only paths relative to "
                         "the module (./ or ../) inside the functions "
                         "directory can be required", id);
    }

    duk_push_current_function(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_REQUIRE_DIR);
    dir = duk_get_string(duk, -1);

    base = duk_push_sprintf(duk, "%s/%s", dir, id);

    /* stack: [ id func dir base ] */

    if (ngx_faas_require_cached(duk) == NGX_OK) {
        return 1;
    }

    for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        if (ngx_faas_require_resolve(duk, base, exts[i]) == NGX_OK) {
            /* stack: [ id func dir base path ] */
            ngx_faas_require_remember(duk, -2, -1);
            ngx_faas_require_load(duk, -1);
            return 1;
        }
    }

    return duk_error(duk, DUK_ERR_ERROR, "cannot find module '%s' from '%s'",
                     id, dir);
}


/*
 * a module required again by the same id from the same directory: its
 * exports without a system call. The path was found inside the app root
 * when the module was first loaded, and the module cache keeps what it
 * read then anyway; a module not in the cache (it threw) is looked for
 * on disk again
 */

static ngx_int_t
ngx_faas_require_cached(duk_context *duk)
{
    /* stack: [ ... base ] */

    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_STASH_RESOLVED);
    duk_dup(duk, -3);

    /* stack: [ ... base stash resolved base ] */

    if (!duk_get_prop(duk, -2)) {
        duk_pop_3(duk);
        return NGX_DECLINED;
    }

    /* stack: [ ... base stash resolved path ] */

    duk_get_prop_literal(duk, -3, NGX_FAAS_STASH_MODULES);
    duk_dup(duk, -2);

    if (!duk_get_prop(duk, -2)) {
        duk_pop_n(duk, 5);
        return NGX_DECLINED;
    }

    /* stack: [ ... base stash resolved path modules module ] */

    duk_get_prop_literal(duk, -1, "exports");
    duk_replace(duk, -7);
    duk_pop_n(duk, 5);

    /* stack: [ ... exports ] */

    return NGX_OK;
}


static void
ngx_faas_require_remember(duk_context *duk, duk_idx_t base, duk_idx_t path)
{
    base = duk_normalize_index(duk, base);
    path = duk_normalize_index(duk, path);

    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_STASH_RESOLVED);
    duk_dup(duk, base);
    duk_dup(duk, path);
    duk_put_prop(duk, -3);
    duk_pop_2(duk);
}


/*
 * pushes module.exports of the module at path (canonical); the module is
 * cached once compiled and before it runs, so a cycle sees the exports
 * made so far, and a module that does not compile is not cached at all
 */

static void
ngx_faas_require_load(duk_context *duk, duk_idx_t path)
{
    size_t       len;
    const char  *p;

    path = duk_normalize_index(duk, path);

    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_STASH_MODULES);
    duk_remove(duk, -2);
    duk_dup(duk, path);

    /* stack: [ ... modules path ] */

    if (duk_get_prop(duk, -2)) {
        duk_get_prop_literal(duk, -1, "exports");
        duk_replace(duk, -3);
        duk_pop(duk);
        return;
    }

    duk_pop(duk);

    p = duk_get_lstring(duk, path, &len);

    if (len > 5 && ngx_strcmp(p + len - 5, ".json") == 0) {
        ngx_faas_require_read(duk, p);
        duk_json_decode(duk, -1);

    } else {
        ngx_faas_require_compile(duk, path);
    }

    /* stack: [ ... modules fn|json ] */

    duk_push_object(duk);
    duk_push_object(duk);
    duk_put_prop_literal(duk, -2, "exports");
    duk_dup(duk, path);
    duk_put_prop_literal(duk, -2, "id");
    duk_dup(duk, path);
    duk_put_prop_literal(duk, -2, "filename");
    duk_push_false(duk);
    duk_put_prop_literal(duk, -2, "loaded");

    duk_dup(duk, path);
    duk_dup(duk, -2);
    duk_put_prop(duk, -5);

    ngx_faas_vm_module_added(duk);

    /* stack: [ ... modules fn|json module ] */

    if (duk_is_function(duk, -2)) {
        ngx_faas_require_run(duk, path);

    } else {
        duk_dup(duk, -2);
        duk_put_prop_literal(duk, -2, "exports");
    }

    duk_push_true(duk);
    duk_put_prop_literal(duk, -2, "loaded");

    duk_get_prop_literal(duk, -1, "exports");
    duk_replace(duk, -4);
    duk_pop_2(duk);

    /* stack: [ ... exports ] */
}


/* stack: [ ... modules fn module ]; a module that throws is uncached */

static void
ngx_faas_require_run(duk_context *duk, duk_idx_t path)
{
    const char  *p, *slash;

    duk_dup(duk, -2);
    duk_get_prop_literal(duk, -2, "exports");
    duk_dup(duk, -1);

    /* require of this module: resolves relative to its directory */

    duk_push_c_function(duk, ngx_faas_require_js, 1);
    p = duk_get_string(duk, path);
    slash = strrchr(p, '/');
    duk_push_lstring(duk, p, slash - p);
    duk_put_prop_literal(duk, -2, NGX_FAAS_REQUIRE_DIR);

    duk_dup(duk, -5);
    duk_dup(duk, path);
    duk_push_lstring(duk, p, slash - p);

    /*
     * stack: [ ... modules fn module
     *          fn this exports require module file dir ]
     */

    if (duk_pcall_method(duk, 5) != DUK_EXEC_SUCCESS) {
        /* stack: [ ... modules fn module error ] */
        duk_dup(duk, path);
        duk_del_prop(duk, -5);
        (void) duk_throw(duk);
    }

    duk_pop(duk);

    /* stack: [ ... modules fn module ] */
}


/*
 * pushes the module at path compiled as a function of the CommonJS five;
 * a compile error names the file (relative to the app root) and the line,
 * and the build step when the line holds syntax newer than ES5
 */

static void
ngx_faas_require_compile(duk_context *duk, duk_idx_t path)
{
    size_t       len, slen;
    u_char      *tail;
    duk_int_t    line;
    const char  *file, *msg, *src, *es2015;

    path = duk_normalize_index(duk, path);
    file = duk_get_string(duk, path);

    duk_push_literal(duk, NGX_FAAS_WRAP_HEAD);
    ngx_faas_require_read(duk, file);
    duk_push_literal(duk, NGX_FAAS_WRAP_TAIL);
    duk_concat(duk, 3);
    duk_dup_top(duk);
    duk_dup(duk, path);

    /* stack: [ ... source source path ] */

    if (duk_pcompile(duk, DUK_COMPILE_FUNCTION) == DUK_EXEC_SUCCESS) {
        duk_remove(duk, -2);
        return;
    }

    /*
     * stack: [ ... source error ]: "file:line: message", as nginx -t shows
     * it; Duktape's message ends in " (line N)", which that says already
     */

    line = duk_get_prop_literal(duk, -1, "lineNumber")
           ? duk_get_int(duk, -1) : 0;
    duk_get_prop_literal(duk, -2, "message");

    src = duk_get_lstring(duk, -4, &slen);
    es2015 = (line > 0) ? ngx_faas_trace_es2015(src, slen, line) : NULL;

    ngx_faas_trace_file(duk, file);
    file = duk_get_string(duk, -1);

    if (es2015) {
        (void) duk_syntax_error(duk, "%s:%ld: parse error: ES2015+ syntax "
                                "(%s), build with tools/faas-build", file,
                                (long) line, es2015);
    }

    msg = duk_safe_to_lstring(duk, -2, &len);
    tail = ngx_strlcasestrn((u_char *) msg, (u_char *) msg + len,
                            (u_char *) " (line ", sizeof(" (line ") - 2);

    (void) duk_syntax_error(duk, "%s:%ld: %.*s", file, (long) line,
                            (int) (tail ? (size_t) (tail - (u_char *) msg)
                                        : len),
                            msg);
}


/* pushes the contents of a file as a string */

static void
ngx_faas_require_read(duk_context *duk, const char *path)
{
    u_char       *p;
    ssize_t       n;
    ngx_fd_t      fd;
    struct stat   st;

    if (stat(path, &st) != 0) {
        (void) duk_error(duk, DUK_ERR_ERROR, "cannot stat '%s': %s", path,
                         strerror(errno));
    }

    /* pushed before the file is opened: a failed push cannot leak the fd */

    p = duk_push_fixed_buffer(duk, st.st_size);

    fd = ngx_open_file(path, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        (void) duk_error(duk, DUK_ERR_ERROR, "cannot open '%s': %s", path,
                         strerror(errno));
    }

    n = ngx_read_fd(fd, p, st.st_size);

    (void) ngx_close_file(fd);

    if (n != (ssize_t) st.st_size) {
        (void) duk_error(duk, DUK_ERR_ERROR, "cannot read '%s'", path);
    }

    (void) duk_buffer_to_string(duk, -1);
}


/* replaces module.exports on the stack top by the function it exports */

static void
ngx_faas_require_pick(duk_context *duk, ngx_str_t *name, duk_idx_t path)
{
    path = duk_normalize_index(duk, path);

    if (duk_is_function(duk, -1)) {
        return;
    }

    if (duk_is_object(duk, -1)) {
        if (duk_get_prop_literal(duk, -1, "main") && duk_is_function(duk, -1))
        {
            duk_remove(duk, -2);
            return;
        }

        duk_pop(duk);

        if (duk_get_prop_literal(duk, -1, "default")
            && duk_is_function(duk, -1))
        {
            duk_remove(duk, -2);
            return;
        }

        duk_pop(duk);
    }

    ngx_faas_trace_file(duk, duk_get_string(duk, path));

    (void) duk_type_error(duk, "%s: function \"%.*s\" exports no function "
                          "(module.exports, exports.main or exports.default)",
                          duk_get_string(duk, -1), (int) name->len,
                          name->data);
}
