
/*
 * Copyright (C) ngx_faas authors
 */


/*
 * The nginx symbols the module's objects refer to, for the fuzz harnesses.
 * Debian's nginx-dev ships nginx's headers, not its sources, so nginx's
 * own objects cannot be linked in: what the decoders reach is written
 * here from nginx's documented behaviour, the rest aborts if reached.
 *
 * Every pool allocation is a malloc() block of its own, freed with the
 * pool: AddressSanitizer then sees a byte written before or after any one
 * of them, where in a real nginx pool it would land unseen in the next
 * allocation of the same block.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_http.h>

#include "ngx_fuzz.h"


volatile ngx_cycle_t   *ngx_cycle;
volatile ngx_str_t      ngx_cached_err_log_time;
ngx_pid_t               ngx_pid;
ngx_uint_t              ngx_process;
ngx_uint_t              ngx_worker;
ngx_uint_t              ngx_exiting;
sig_atomic_t            ngx_quit;
sig_atomic_t            ngx_terminate;
ngx_event_actions_t     ngx_event_actions;
ngx_uint_t              ngx_pagesize;
uint32_t               *ngx_crc32_table_short;  /* shared zones, schedules */

ngx_module_t            ngx_core_module;
ngx_module_t            ngx_events_module;
ngx_module_t            ngx_event_core_module;
ngx_module_t            ngx_http_module;
ngx_module_t            ngx_http_core_module;

ngx_http_output_body_filter_pt  ngx_http_top_body_filter;
ngx_rbtree_t            ngx_event_timer_rbtree;
volatile ngx_msec_t     ngx_current_msec;
ngx_queue_t             ngx_posted_events;
ngx_queue_t             ngx_posted_next_events;
uint32_t                ngx_crc32_table256[256];


static u_char *ngx_fuzz_vformat(u_char *buf, u_char *last, const char *fmt,
    va_list args);
static u_char *ngx_fuzz_number(u_char *buf, u_char *last, uint64_t n,
    ngx_uint_t hex, ngx_uint_t width, u_char pad);


#define NGX_FUZZ_UNREACHED(name)                                              \
    fprintf(stderr, "fuzz: nginx's %s is not linked in\n", name);            \
    abort()


/* pools */

ngx_pool_t *
ngx_fuzz_pool_create(ngx_log_t *log)
{
    ngx_pool_t  *pool;

    pool = calloc(1, sizeof(ngx_pool_t));
    if (pool == NULL) {
        abort();
    }

    pool->log = log;

    return pool;
}


void
ngx_fuzz_pool_destroy(ngx_pool_t *pool)
{
    ngx_pool_large_t    *l, *next;
    ngx_pool_cleanup_t  *c, *cn;

    for (c = pool->cleanup; c; c = cn) {
        cn = c->next;

        if (c->handler) {
            c->handler(c->data);
        }

        /* c->data is the pool's (as in nginx) or the caller's */
        free(c);
    }

    for (l = pool->large; l; l = next) {
        next = l->next;
        free(l->alloc);
        free(l);
    }

    free(pool);
}


void *
ngx_palloc(ngx_pool_t *pool, size_t size)
{
    ngx_pool_large_t  *l;

    l = malloc(sizeof(ngx_pool_large_t));
    if (l == NULL) {
        return NULL;
    }

    /* malloc(0) may answer NULL, which a pool never does */

    l->alloc = malloc(size ? size : 1);
    if (l->alloc == NULL) {
        free(l);
        return NULL;
    }

    l->next = pool->large;
    pool->large = l;

    return l->alloc;
}


void *
ngx_pnalloc(ngx_pool_t *pool, size_t size)
{
    return ngx_palloc(pool, size);
}


void *
ngx_pcalloc(ngx_pool_t *pool, size_t size)
{
    void  *p;

    p = ngx_palloc(pool, size);
    if (p) {
        ngx_memzero(p, size);
    }

    return p;
}


void *
ngx_alloc(size_t size, ngx_log_t *log)
{
    return malloc(size ? size : 1);
}


void *
ngx_calloc(size_t size, ngx_log_t *log)
{
    return calloc(1, size ? size : 1);
}


ngx_pool_cleanup_t *
ngx_pool_cleanup_add(ngx_pool_t *p, size_t size)
{
    ngx_pool_cleanup_t  *c;

    c = calloc(1, sizeof(ngx_pool_cleanup_t));
    if (c == NULL) {
        return NULL;
    }

    if (size) {
        c->data = ngx_pcalloc(p, size);
        if (c->data == NULL) {
            free(c);
            return NULL;
        }
    }

    c->next = p->cleanup;
    p->cleanup = c;

    return c;
}


ngx_array_t *
ngx_array_create(ngx_pool_t *p, ngx_uint_t n, size_t size)
{
    ngx_array_t  *a;

    a = ngx_palloc(p, sizeof(ngx_array_t));
    if (a == NULL || ngx_array_init(a, p, n, size) != NGX_OK) {
        return NULL;
    }

    return a;
}


void *
ngx_array_push(ngx_array_t *a)
{
    void  *elts;

    if (a->nelts == a->nalloc) {
        elts = ngx_palloc(a->pool, 2 * a->nalloc * a->size + a->size);
        if (elts == NULL) {
            return NULL;
        }

        ngx_memcpy(elts, a->elts, a->nelts * a->size);
        a->elts = elts;
        a->nalloc = 2 * a->nalloc + 1;
    }

    return (u_char *) a->elts + a->size * a->nelts++;
}


void *
ngx_list_push(ngx_list_t *l)
{
    ngx_list_part_t  *last;

    last = l->last;

    if (last->nelts == l->nalloc) {
        last = ngx_palloc(l->pool, sizeof(ngx_list_part_t));
        if (last == NULL) {
            return NULL;
        }

        last->elts = ngx_palloc(l->pool, l->nalloc * l->size);
        if (last->elts == NULL) {
            return NULL;
        }

        last->nelts = 0;
        last->next = NULL;

        l->last->next = last;
        l->last = last;
    }

    return (u_char *) last->elts + l->size * last->nelts++;
}


/* strings */

ngx_int_t
ngx_hextoi(u_char *line, size_t n)
{
    u_char     c;
    ngx_int_t  value;

    if (n == 0) {
        return NGX_ERROR;
    }

    for (value = 0; n--; line++) {
        if (value > NGX_MAX_INT_T_VALUE / 16) {
            return NGX_ERROR;
        }

        c = *line;

        if (c >= '0' && c <= '9') {
            value = value * 16 + (c - '0');
            continue;
        }

        c |= 0x20;

        if (c >= 'a' && c <= 'f') {
            value = value * 16 + (c - 'a' + 10);
            continue;
        }

        return NGX_ERROR;
    }

    return value;
}


ngx_int_t
ngx_atoi(u_char *line, size_t n)
{
    ngx_int_t  value;

    if (n == 0) {
        return NGX_ERROR;
    }

    for (value = 0; n--; line++) {
        if (*line < '0' || *line > '9'
            || value > (NGX_MAX_INT_T_VALUE - (*line - '0')) / 10)
        {
            return NGX_ERROR;
        }

        value = value * 10 + (*line - '0');
    }

    return value;
}


u_char *
ngx_hex_dump(u_char *dst, u_char *src, size_t len)
{
    while (len--) {
        *dst++ = "0123456789abcdef"[*src >> 4];
        *dst++ = "0123456789abcdef"[*src++ & 0xf];
    }

    return dst;
}


static u_char  ngx_fuzz_base64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";


void
ngx_encode_base64(ngx_str_t *dst, ngx_str_t *src)
{
    u_char  *d, *s;
    size_t   len;

    d = dst->data;
    s = src->data;

    for (len = src->len; len > 2; len -= 3, s += 3) {
        *d++ = ngx_fuzz_base64[s[0] >> 2];
        *d++ = ngx_fuzz_base64[((s[0] & 3) << 4) | (s[1] >> 4)];
        *d++ = ngx_fuzz_base64[((s[1] & 0x0f) << 2) | (s[2] >> 6)];
        *d++ = ngx_fuzz_base64[s[2] & 0x3f];
    }

    if (len) {
        *d++ = ngx_fuzz_base64[s[0] >> 2];

        if (len == 1) {
            *d++ = ngx_fuzz_base64[(s[0] & 3) << 4];
            *d++ = '=';

        } else {
            *d++ = ngx_fuzz_base64[((s[0] & 3) << 4) | (s[1] >> 4)];
            *d++ = ngx_fuzz_base64[(s[1] & 0x0f) << 2];
        }

        *d++ = '=';
    }

    dst->len = d - dst->data;
}


/* up to the first byte outside the alphabet; a lone last sextet: error */

ngx_int_t
ngx_decode_base64(ngx_str_t *dst, ngx_str_t *src)
{
    u_char   *d, *v, *p;
    size_t    len, i;
    uint32_t  acc;

    for (len = 0; len < src->len; len++) {
        if (src->data[len] == '='
            || ngx_strlchr(ngx_fuzz_base64, ngx_fuzz_base64 + 64,
                           src->data[len]) == NULL)
        {
            break;
        }
    }

    if (len % 4 == 1) {
        return NGX_ERROR;
    }

    d = dst->data;
    acc = 0;

    for (i = 0; i < len; i++) {
        p = ngx_strlchr(ngx_fuzz_base64, ngx_fuzz_base64 + 64,
                        src->data[i]);
        v = ngx_fuzz_base64;
        acc = (acc << 6) | (uint32_t) (p - v);

        if (i % 4 == 3) {
            *d++ = (u_char) (acc >> 16);
            *d++ = (u_char) (acc >> 8);
            *d++ = (u_char) acc;
            acc = 0;
        }
    }

    if (len % 4 == 2) {
        *d++ = (u_char) (acc >> 4);

    } else if (len % 4 == 3) {
        *d++ = (u_char) (acc >> 10);
        *d++ = (u_char) (acc >> 2);
    }

    dst->len = d - dst->data;

    return NGX_OK;
}


/* stable, as nginx's is: an insertion sort */

void
ngx_sort(void *base, size_t n, size_t size,
    ngx_int_t (*cmp)(const void *, const void *))
{
    u_char  *p1, *p2, *p;

    p = malloc(size);
    if (p == NULL) {
        abort();
    }

    for (p1 = (u_char *) base + size;
         p1 < (u_char *) base + n * size;
         p1 += size)
    {
        ngx_memcpy(p, p1, size);

        for (p2 = p1;
             p2 > (u_char *) base && cmp(p2 - size, p) > 0;
             p2 -= size)
        {
            ngx_memcpy(p2, p2 - size, size);
        }

        ngx_memcpy(p2, p, size);
    }

    free(p);
}


u_char *
ngx_cpystrn(u_char *dst, u_char *src, size_t n)
{
    if (n == 0) {
        return dst;
    }

    while (--n && *src) {
        *dst++ = *src++;
    }

    *dst = '\0';

    return dst;
}


ngx_int_t
ngx_strncasecmp(u_char *s1, u_char *s2, size_t n)
{
    ngx_uint_t  c1, c2;

    while (n--) {
        c1 = ngx_tolower(*s1);
        c2 = ngx_tolower(*s2);

        if (c1 != c2) {
            return c1 - c2;
        }

        if (c1 == 0) {
            return 0;
        }

        s1++;
        s2++;
    }

    return 0;
}


void
ngx_strlow(u_char *dst, u_char *src, size_t n)
{
    while (n--) {
        *dst++ = ngx_tolower(*src);
        src++;
    }
}


size_t
ngx_strnlen(u_char *p, size_t n)
{
    size_t  i;

    for (i = 0; i < n && p[i]; i++) { /* void */ }

    return i;
}


/* the first of n + 1 bytes of s2 in [s1, last), case-insensitively */

u_char *
ngx_strlcasestrn(u_char *s1, u_char *last, u_char *s2, size_t n)
{
    n++;

    for ( /* void */ ; (size_t) (last - s1) >= n; s1++) {
        if (ngx_strncasecmp(s1, s2, n) == 0) {
            return s1;
        }
    }

    return NULL;
}


ngx_uint_t
ngx_hash_key(u_char *data, size_t len)
{
    ngx_uint_t  i, key;

    key = 0;

    for (i = 0; i < len; i++) {
        key = ngx_hash(key, data[i]);
    }

    return key;
}


/* formatting and the log: the conversions the module uses */

u_char * ngx_cdecl
ngx_sprintf(u_char *buf, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;

    va_start(args, fmt);
    p = ngx_fuzz_vformat(buf, (u_char *) -1, fmt, args);
    va_end(args);

    return p;
}


u_char * ngx_cdecl
ngx_snprintf(u_char *buf, size_t max, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;

    va_start(args, fmt);
    p = ngx_fuzz_vformat(buf, buf + max, fmt, args);
    va_end(args);

    return p;
}


u_char * ngx_cdecl
ngx_slprintf(u_char *buf, u_char *last, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;

    va_start(args, fmt);
    p = ngx_fuzz_vformat(buf, last, fmt, args);
    va_end(args);

    return p;
}


void ngx_cdecl
ngx_log_error_core(ngx_uint_t level, ngx_log_t *log, ngx_err_t err,
    const char *fmt, ...)
{
    u_char    line[NGX_MAX_ERROR_STR], *p, *last;
    va_list   args;

    last = line + sizeof(line) - 1;

    p = ngx_slprintf(line, last, "[%ui] ", level);

    va_start(args, fmt);
    p = ngx_fuzz_vformat(p, last, fmt, args);
    va_end(args);

    *p++ = '\n';

    ngx_fuzz_log_line(line, p - line);
}


static u_char *
ngx_fuzz_vformat(u_char *buf, u_char *last, const char *fmt, va_list args)
{
    u_char      pad, *s;
    size_t      len, slen;
    int64_t     i64;
    uint64_t    u64;
    ngx_str_t  *v;
    ngx_uint_t  width, hex, sign, star, mod;

    while (*fmt && buf < last) {

        if (*fmt != '%') {
            *buf++ = *fmt++;
            continue;
        }

        fmt++;
        pad = ' ';
        width = 0;
        hex = 0;
        sign = 1;
        star = 0;
        mod = 'd';

        if (*fmt == '0') {
            pad = '0';
        }

        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }

        for ( ;; ) {
            switch (*fmt) {
            case 'u':
                sign = 0;
                fmt++;
                continue;
            case 'x':
                hex = 1;
                sign = 0;
                fmt++;
                continue;
            case 'X':
                hex = 2;
                sign = 0;
                fmt++;
                continue;
            case '*':
                star = 1;
                fmt++;
                continue;
            }
            break;
        }

        switch (*fmt) {

        case 'V':
            v = va_arg(args, ngx_str_t *);
            len = ngx_min(v->len, (size_t) (last - buf));
            buf = ngx_cpymem(buf, v->data, len);
            fmt++;
            continue;

        case 's':
            slen = star ? va_arg(args, size_t) : (size_t) -1;
            s = va_arg(args, u_char *);

            while (slen-- && *s && buf < last) {
                *buf++ = *s++;
            }

            fmt++;
            continue;

        case 'c':
            *buf++ = (u_char) va_arg(args, int);
            fmt++;
            continue;

        case '%':
            *buf++ = '%';
            fmt++;
            continue;

        case 'z':
        case 'i':
        case 'L':
        case 'M':
        case 'A':
        case 'T':
        case 'O':
        case 'P':
        case 'D':
        case 'd':
            mod = *fmt++;
            break;

        default:
            /* a conversion the module does not use: stop here */
            NGX_FUZZ_UNREACHED("formatting of this conversion");
        }

        switch (mod) {
        case 'z':
            i64 = sign ? (int64_t) va_arg(args, ssize_t)
                       : (int64_t) va_arg(args, size_t);
            break;
        case 'i':
            i64 = sign ? (int64_t) va_arg(args, ngx_int_t)
                       : (int64_t) va_arg(args, ngx_uint_t);
            break;
        case 'L':
            i64 = va_arg(args, int64_t);
            break;
        case 'M':
            i64 = (int64_t) va_arg(args, ngx_msec_t);
            sign = 0;
            break;
        case 'A':
            i64 = sign ? (int64_t) va_arg(args, ngx_atomic_int_t)
                       : (int64_t) va_arg(args, ngx_atomic_uint_t);
            break;
        case 'T':
            i64 = (int64_t) va_arg(args, time_t);
            break;
        case 'O':
            i64 = (int64_t) va_arg(args, off_t);
            break;
        case 'P':
            i64 = (int64_t) va_arg(args, ngx_pid_t);
            break;
        case 'D':
            i64 = sign ? (int64_t) va_arg(args, int32_t)
                       : (int64_t) va_arg(args, uint32_t);
            break;
        default:
            i64 = sign ? (int64_t) va_arg(args, int)
                       : (int64_t) va_arg(args, u_int);
        }

        if (sign && i64 < 0) {
            *buf++ = '-';
            u64 = (uint64_t) 0 - (uint64_t) i64;

        } else {
            u64 = (uint64_t) i64;
        }

        buf = ngx_fuzz_number(buf, last, u64, hex, width, pad);
    }

    return buf;
}


static u_char *
ngx_fuzz_number(u_char *buf, u_char *last, uint64_t n, ngx_uint_t hex,
    ngx_uint_t width, u_char pad)
{
    u_char      tmp[NGX_INT64_LEN + 1], *p;
    ngx_uint_t  len;

    p = tmp + sizeof(tmp);

    do {
        *--p = (u_char) (hex == 2 ? "0123456789ABCDEF"[n & 0xf]
                         : hex ? "0123456789abcdef"[n & 0xf] : '0' + n % 10);
        n = hex ? n >> 4 : n / 10;
    } while (n);

    len = tmp + sizeof(tmp) - p;

    while (width-- > len && buf < last) {
        *buf++ = pad;
    }

    len = ngx_min(len, (size_t) (last - buf));

    return ngx_cpymem(buf, p, len);
}


/* nginx's cached time: nothing the harnesses check reads it */

void
ngx_time_update(void)
{
}


void
ngx_debug_point(void)
{
    abort();
}


ssize_t
ngx_read_file(ngx_file_t *file, u_char *buf, size_t size, off_t offset)
{
    return pread(file->fd, buf, size, offset);
}


/* what only configuration, shared memory and HTTP output reach */

uint32_t
ngx_utf8_decode(u_char **p, size_t n)
{
    NGX_FUZZ_UNREACHED("ngx_utf8_decode");
}


ngx_int_t
ngx_conf_full_name(ngx_cycle_t *cycle, ngx_str_t *name, ngx_uint_t conf_prefix)
{
    NGX_FUZZ_UNREACHED("ngx_conf_full_name");
}


void ngx_cdecl
ngx_conf_log_error(ngx_uint_t level, ngx_conf_t *cf, ngx_err_t err,
    const char *fmt, ...)
{
    NGX_FUZZ_UNREACHED("ngx_conf_log_error");
}


char *
ngx_conf_set_flag_slot(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    NGX_FUZZ_UNREACHED("ngx_conf_set_flag_slot");
}


char *
ngx_conf_set_num_slot(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    NGX_FUZZ_UNREACHED("ngx_conf_set_num_slot");
}


ssize_t
ngx_parse_size(ngx_str_t *line)
{
    NGX_FUZZ_UNREACHED("ngx_parse_size");
}


ngx_int_t
ngx_parse_time(ngx_str_t *line, ngx_uint_t is_sec)
{
    NGX_FUZZ_UNREACHED("ngx_parse_time");
}


ngx_shm_zone_t *
ngx_shared_memory_add(ngx_conf_t *cf, ngx_str_t *name, size_t size,
    void *tag)
{
    NGX_FUZZ_UNREACHED("ngx_shared_memory_add");
}


void
ngx_shmtx_lock(ngx_shmtx_t *mtx)
{
    NGX_FUZZ_UNREACHED("ngx_shmtx_lock");
}


void
ngx_shmtx_unlock(ngx_shmtx_t *mtx)
{
    NGX_FUZZ_UNREACHED("ngx_shmtx_unlock");
}


void *
ngx_slab_alloc(ngx_slab_pool_t *pool, size_t size)
{
    NGX_FUZZ_UNREACHED("ngx_slab_alloc");
}


/* faas_shared zones: never reached by a harness (no zone is declared) */

void *
ngx_slab_alloc_locked(ngx_slab_pool_t *pool, size_t size)
{
    NGX_FUZZ_UNREACHED("ngx_slab_alloc_locked");
}


void
ngx_slab_free_locked(ngx_slab_pool_t *pool, void *p)
{
    NGX_FUZZ_UNREACHED("ngx_slab_free_locked");
}


ngx_int_t
ngx_memn2cmp(u_char *s1, u_char *s2, size_t n1, size_t n2)
{
    NGX_FUZZ_UNREACHED("ngx_memn2cmp");
}


/* faas_schedule runs: never reached by a harness */

ngx_connection_t *
ngx_get_connection(ngx_socket_t s, ngx_log_t *log)
{
    NGX_FUZZ_UNREACHED("ngx_get_connection");
}


void
ngx_free_connection(ngx_connection_t *c)
{
    NGX_FUZZ_UNREACHED("ngx_free_connection");
}


ngx_http_request_t *
ngx_http_create_request(ngx_connection_t *c)
{
    NGX_FUZZ_UNREACHED("ngx_http_create_request");
}


void
ngx_http_free_request(ngx_http_request_t *r, ngx_int_t rc)
{
    NGX_FUZZ_UNREACHED("ngx_http_free_request");
}


ngx_http_variable_t *
ngx_http_add_variable(ngx_conf_t *cf, ngx_str_t *name, ngx_uint_t flags)
{
    NGX_FUZZ_UNREACHED("ngx_http_add_variable");
}


ngx_int_t
ngx_http_get_variable_index(ngx_conf_t *cf, ngx_str_t *name)
{
    NGX_FUZZ_UNREACHED("ngx_http_get_variable_index");
}


ngx_http_variable_value_t *
ngx_http_get_indexed_variable(ngx_http_request_t *r, ngx_uint_t index)
{
    NGX_FUZZ_UNREACHED("ngx_http_get_indexed_variable");
}


ngx_int_t
ngx_http_compile_complex_value(ngx_http_compile_complex_value_t *ccv)
{
    NGX_FUZZ_UNREACHED("ngx_http_compile_complex_value");
}


ngx_int_t
ngx_http_complex_value(ngx_http_request_t *r, ngx_http_complex_value_t *val,
    ngx_str_t *value)
{
    NGX_FUZZ_UNREACHED("ngx_http_complex_value");
}


ngx_int_t
ngx_http_arg(ngx_http_request_t *r, u_char *name, size_t len,
    ngx_str_t *value)
{
    NGX_FUZZ_UNREACHED("ngx_http_arg");
}


ngx_int_t
ngx_http_discard_request_body(ngx_http_request_t *r)
{
    NGX_FUZZ_UNREACHED("ngx_http_discard_request_body");
}


ngx_int_t
ngx_http_read_client_request_body(ngx_http_request_t *r,
    ngx_http_client_body_handler_pt post_handler)
{
    NGX_FUZZ_UNREACHED("ngx_http_read_client_request_body");
}


void
ngx_http_finalize_request(ngx_http_request_t *r, ngx_int_t rc)
{
    NGX_FUZZ_UNREACHED("ngx_http_finalize_request");
}


void
ngx_http_core_run_phases(ngx_http_request_t *r)
{
    NGX_FUZZ_UNREACHED("ngx_http_core_run_phases");
}


void
ngx_http_init_connection(ngx_connection_t *c)
{
    NGX_FUZZ_UNREACHED("ngx_http_init_connection");
}


ngx_int_t
ngx_http_send_header(ngx_http_request_t *r)
{
    NGX_FUZZ_UNREACHED("ngx_http_send_header");
}


ngx_int_t
ngx_http_output_filter(ngx_http_request_t *r, ngx_chain_t *chain)
{
    NGX_FUZZ_UNREACHED("ngx_http_output_filter");
}


ngx_int_t
ngx_http_subrequest(ngx_http_request_t *r, ngx_str_t *uri, ngx_str_t *args,
    ngx_http_request_t **psr, ngx_http_post_subrequest_t *ps,
    ngx_uint_t flags)
{
    NGX_FUZZ_UNREACHED("ngx_http_subrequest");
}


ngx_int_t
ngx_http_parse_unsafe_uri(ngx_http_request_t *r, ngx_str_t *uri,
    ngx_str_t *args, ngx_uint_t *flags)
{
    NGX_FUZZ_UNREACHED("ngx_http_parse_unsafe_uri");
}


ngx_uint_t
ngx_hash_strlow(u_char *dst, u_char *src, size_t n)
{
    NGX_FUZZ_UNREACHED("ngx_hash_strlow");
}


ngx_chain_t *
ngx_alloc_chain_link(ngx_pool_t *pool)
{
    NGX_FUZZ_UNREACHED("ngx_alloc_chain_link");
}


ngx_buf_t *
ngx_create_temp_buf(ngx_pool_t *pool, size_t size)
{
    NGX_FUZZ_UNREACHED("ngx_create_temp_buf");
}


char *
ngx_conf_set_msec_slot(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    NGX_FUZZ_UNREACHED("ngx_conf_set_msec_slot");
}


void
ngx_rbtree_insert(ngx_rbtree_t *tree, ngx_rbtree_node_t *node)
{
    NGX_FUZZ_UNREACHED("ngx_rbtree_insert");
}


void
ngx_rbtree_delete(ngx_rbtree_t *tree, ngx_rbtree_node_t *node)
{
    NGX_FUZZ_UNREACHED("ngx_rbtree_delete");
}


/* every heap's timer tree names it (timers.c); no harness sets a timer */

void
ngx_rbtree_insert_value(ngx_rbtree_node_t *temp, ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel)
{
    NGX_FUZZ_UNREACHED("ngx_rbtree_insert_value");
}


ngx_int_t
ngx_http_post_request(ngx_http_request_t *r, ngx_http_posted_request_t *pr)
{
    NGX_FUZZ_UNREACHED("ngx_http_post_request");
}


void
ngx_http_run_posted_requests(ngx_connection_t *c)
{
    NGX_FUZZ_UNREACHED("ngx_http_run_posted_requests");
}


void
ngx_http_request_empty_handler(ngx_http_request_t *r)
{
    NGX_FUZZ_UNREACHED("ngx_http_request_empty_handler");
}


/* threads: a body nginx spooled to a file, read in a pool (handler.c) */

#if (NGX_THREADS)

ssize_t
ngx_thread_read(ngx_file_t *file, u_char *buf, size_t size, off_t offset,
    ngx_pool_t *pool)
{
    NGX_FUZZ_UNREACHED("ngx_thread_read");
}


ngx_thread_pool_t *
ngx_thread_pool_get(ngx_cycle_t *cycle, ngx_str_t *name)
{
    NGX_FUZZ_UNREACHED("ngx_thread_pool_get");
}


ngx_int_t
ngx_thread_task_post(ngx_thread_pool_t *tp, ngx_thread_task_t *task)
{
    NGX_FUZZ_UNREACHED("ngx_thread_task_post");
}

#endif


void
ngx_http_test_reading(ngx_http_request_t *r)
{
    NGX_FUZZ_UNREACHED("ngx_http_test_reading");
}


void
ngx_http_block_reading(ngx_http_request_t *r)
{
    NGX_FUZZ_UNREACHED("ngx_http_block_reading");
}


void
ngx_str_rbtree_insert_value(ngx_rbtree_node_t *temp, ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel)
{
    NGX_FUZZ_UNREACHED("ngx_str_rbtree_insert_value");
}


ngx_str_node_t *
ngx_str_rbtree_lookup(ngx_rbtree_t *rbtree, ngx_str_t *name, uint32_t hash)
{
    NGX_FUZZ_UNREACHED("ngx_str_rbtree_lookup");
}
