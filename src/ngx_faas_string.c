
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_faas.h"
#include "ngx_faas_string.h"
#include "ngx_faas_vm.h"


/*
 * Strings between nginx and Duktape: client bytes made safe to be strings
 * (ngx_faas_string_push), and String.prototype.replace with a global
 * regular expression that is one class of ASCII characters, /[&<>"']/g,
 * the way every template engine escapes HTML: Duktape runs its regular
 * expression engine once per character of the input and builds a match
 * object per match, this finds the characters with a byte scan. Anything
 * else goes to Duktape's own replace, so the answer is the same either way,
 * with one exception: Duktape's replace asks the RegExp for "global" (a
 * getter of RegExp.prototype, run on every call, a tenth of a render's
 * time), this reads the flag the RegExp was compiled with, once, so a
 * getter redefined by the program is not consulted.
 */


#define NGX_FAAS_STRING_REPLACE   DUK_HIDDEN_SYMBOL("faasReplace")
#define NGX_FAAS_STRING_TOSTRING  DUK_HIDDEN_SYMBOL("faasToString")
#define NGX_FAAS_STRING_RE        DUK_HIDDEN_SYMBOL("faasEscapeRe")

/* the flags byte that starts a compiled RegExp (DUK_RE_FLAG_* of Duktape) */
#define NGX_FAAS_RE_GLOBAL        0x01
#define NGX_FAAS_RE_IGNORE_CASE   0x02

/* pieces of the answer kept on the value stack before they are joined */
#define NGX_FAAS_STRING_PIECES    256


static uint32_t ngx_faas_string_surrogate(u_char *p, u_char *end);
static ssize_t ngx_faas_string_utf8(u_char *p, u_char *end);
static duk_ret_t ngx_faas_string_replace(duk_context *duk);
static ngx_int_t ngx_faas_string_class(duk_context *duk,
    ngx_faas_vm_data_t *heap);
static ngx_int_t ngx_faas_string_parse(duk_context *duk, u_char *set);
static ngx_int_t ngx_faas_string_valid(u_char *p, u_char *end);
static void ngx_faas_string_fallback(duk_context *duk,
    ngx_faas_vm_data_t *heap);


void
ngx_faas_string_init(duk_context *duk)
{
    ngx_faas_vm_data_t  *heap;

    heap = ngx_faas_vm_data(ngx_faas_vm_from(duk));

    /* the originals, kept alive in the stash: their addresses stay valid */

    duk_push_heap_stash(duk);

    duk_get_global_literal(duk, "Object");
    duk_get_prop_literal(duk, -1, "prototype");
    duk_get_prop_literal(duk, -1, "toString");
    heap->to_string = duk_get_heapptr(duk, -1);
    duk_put_prop_literal(duk, -4, NGX_FAAS_STRING_TOSTRING);
    duk_pop_2(duk);

    duk_get_global_literal(duk, "String");
    duk_get_prop_literal(duk, -1, "prototype");

    /* stack: [ stash String String.prototype ] */

    duk_get_prop_literal(duk, -1, "replace");
    heap->replace = duk_get_heapptr(duk, -1);
    duk_put_prop_literal(duk, -4, NGX_FAAS_STRING_REPLACE);

    duk_push_literal(duk, "replace");
    duk_push_c_function(duk, ngx_faas_string_replace, 2);
    duk_push_literal(duk, "name");
    duk_push_literal(duk, "replace");
    duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_FORCE);

    /* as built-in methods are: writable, configurable, not enumerable */

    duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_SET_WRITABLE
                          |DUK_DEFPROP_SET_CONFIGURABLE
                          |DUK_DEFPROP_CLEAR_ENUMERABLE);

    duk_pop_3(duk);
}


/*
 * bytes from the client as a string: UTF-8 as it is, anything else with
 * U+FFFD in place of each invalid sequence, as TextDecoder and Node do;
 * Duktape would otherwise take a string starting with 0x80-0x82 or 0xFF
 * for a symbol, and its regular expressions throw on bytes they cannot
 * decode
 */

void
ngx_faas_string_push(duk_context *duk, u_char *p, size_t len)
{
    u_char   *end, *q, *out;
    ssize_t   n;

    end = p + len;

    for (q = p; q < end && *q < 0x80; q++) {
        /* void */
    }

    while (q < end) {
        n = ngx_faas_string_utf8(q, end);

        if (n < 0) {
            break;
        }

        q += n;
    }

    if (q == end) {
        duk_push_lstring(duk, (char *) p, len);
        return;
    }

    /* an invalid sequence is at least one byte and becomes three */

    out = duk_push_fixed_buffer(duk, len * 3);
    n = q - p;
    ngx_memcpy(out, p, n);
    q = out + n;
    p += n;

    while (p < end) {
        n = ngx_faas_string_utf8(p, end);

        if (n < 0) {
            *q++ = 0xef; *q++ = 0xbf; *q++ = 0xbd;
            p -= n;
            continue;
        }

        q = ngx_cpymem(q, p, n);
        p += n;
    }

    duk_push_lstring(duk, (char *) out, q - out);
    duk_remove(duk, -2);
}


/*
 * Duktape keeps a character past U+FFFF that was written as two escapes
 * ("\ud83d\ude00" in JSON or in code) or made by String.fromCharCode()
 * as two surrogates of three bytes each (CESU-8), and a lone surrogate as
 * three bytes too: neither is UTF-8. In an answer a pair becomes the four
 * bytes of its character and a lone surrogate U+FFFD, in place (neither
 * is longer than what it replaces); the new length is returned
 */

size_t
ngx_faas_string_utf8_answer(u_char *p, size_t len)
{
    u_char    *s, *q, *end;
    uint32_t   hi, lo, c;

    end = p + len;
    s = ngx_strlchr(p, end, 0xed);

    if (s == NULL) {
        return len;
    }

    q = s;

    while (s < end) {

        hi = ngx_faas_string_surrogate(s, end);

        if (hi == 0) {
            *q++ = *s++;
            continue;
        }

        lo = (hi < 0xdc00) ? ngx_faas_string_surrogate(s + 3, end) : 0;

        if (lo < 0xdc00) {
            *q++ = 0xef; *q++ = 0xbf; *q++ = 0xbd;
            s += 3;
            continue;
        }

        c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);

        *q++ = (u_char) (0xf0 | (c >> 18));
        *q++ = (u_char) (0x80 | ((c >> 12) & 0x3f));
        *q++ = (u_char) (0x80 | ((c >> 6) & 0x3f));
        *q++ = (u_char) (0x80 | (c & 0x3f));
        s += 6;
    }

    return q - p;
}


/* the surrogate (U+D800..U+DFFF) encoded in three bytes at p, or 0 */

static uint32_t
ngx_faas_string_surrogate(u_char *p, u_char *end)
{
    if (end - p < 3 || p[0] != 0xed || p[1] < 0xa0 || p[1] > 0xbf
        || (p[2] & 0xc0) != 0x80)
    {
        return 0;
    }

    return 0xd000 | ((p[1] & 0x3f) << 6) | (p[2] & 0x3f);
}


/*
 * the length of the valid UTF-8 character at p (RFC 3629), or minus the
 * length of its longest valid start (the "maximal subpart" that WHATWG's
 * decoder replaces with one U+FFFD)
 */

static ssize_t
ngx_faas_string_utf8(u_char *p, u_char *end)
{
    u_char  c, lo, hi;
    size_t  n, i;

    c = p[0];

    if (c < 0x80) {
        return 1;
    }

    lo = 0x80;
    hi = 0xbf;

    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;

    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = (c == 0xe0) ? 0xa0 : 0x80;
        hi = (c == 0xed) ? 0x9f : 0xbf;

    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = (c == 0xf0) ? 0x90 : 0x80;
        hi = (c == 0xf4) ? 0x8f : 0xbf;

    } else {
        return -1;
    }

    if (p + 1 == end || p[1] < lo || p[1] > hi) {
        return -1;
    }

    for (i = 2; i < n; i++) {
        if (p + i == end || p[i] < 0x80 || p[i] > 0xbf) {
            return - (ssize_t) i;
        }
    }

    return n;
}


static duk_ret_t
ngx_faas_string_replace(duk_context *duk)
{
    u_char              *start, *p, *last, *end, *set, high;
    duk_size_t           len;
    duk_uint_t           offset, pieces;
    duk_bool_t           func;
    const char          *repl;
    ngx_faas_vm_data_t  *heap;

    heap = ngx_faas_vm_data(ngx_faas_vm_from(duk));
    set = heap->escape_set;

    /* stack: [ search replace ] */

    duk_push_this(duk);

    /* clang cannot see that len is read only when repl is set */

    len = 0;
    func = duk_is_function(duk, 1);
    repl = func ? NULL : duk_get_lstring(duk, 1, &len);

    if (!duk_is_string(duk, 2)
        || (!func && (repl == NULL || memchr(repl, '$', len)))
        || ngx_faas_string_class(duk, heap) != NGX_OK)
    {
        ngx_faas_string_fallback(duk, heap);
        return 1;
    }

    start = (u_char *) duk_get_lstring(duk, 2, &len);
    end = start + len;

    /* offset counts characters as Duktape does: bytes but continuations */

    offset = 0;
    high = 0;

    for (p = start; p < end && !set[*p]; p++) {
        offset += (*p & 0xc0) != 0x80;
        high |= *p;
    }

    /*
     * the bytes of the class are ASCII, never inside a longer character;
     * Duktape's engine throws on a string that is not UTF-8 as it knows it
     */

    if ((high & 0x80 || p < end) && !ngx_faas_string_valid(start, end)) {
        ngx_faas_string_fallback(duk, heap);
        return 1;
    }

    duk_push_uint(duk, 0);
    duk_put_prop_literal(duk, 0, "lastIndex");

    if (p == end) {
        /* the common case: nothing to escape, the string is the answer */
        return 1;
    }

    duk_require_stack(duk, NGX_FAAS_STRING_PIECES + 8);

    last = start;
    pieces = 0;

    for ( ;; ) {

        /* stack: [ search replace this piece... ] */

        duk_push_lstring(duk, (char *) last, p - last);

        if (func) {
            duk_push_uint(duk, offset + 1);
            duk_put_prop_literal(duk, 0, "lastIndex");

            duk_dup(duk, 1);
            duk_push_undefined(duk);
            duk_push_lstring(duk, (char *) p, 1);
            duk_push_uint(duk, offset);
            duk_dup(duk, 2);
            duk_call_method(duk, 3);
            duk_to_string(duk, -1);

        } else {
            duk_dup(duk, 1);
        }

        pieces += 2;
        last = ++p;
        offset++;

        for ( /* void */ ; p < end && !set[*p]; p++) {
            offset += (*p & 0xc0) != 0x80;
        }

        if (p == end) {
            break;
        }

        if (pieces >= NGX_FAAS_STRING_PIECES) {
            duk_concat(duk, pieces);
            pieces = 1;
        }
    }

    duk_push_lstring(duk, (char *) last, end - last);
    duk_concat(duk, pieces + 1);

    duk_push_uint(duk, 0);
    duk_put_prop_literal(duk, 0, "lastIndex");

    return 1;
}


/*
 * search is a RegExp, global and not ignoring case, of the form "[...]".
 * A RegExp cannot change its source or its flags, so what is found is
 * kept for the last one seen (held in the stash, so its address is not
 * reused); other regular expressions going by leave it in place. Source
 * and flags are read where the engine itself reads them (its internal
 * properties), not through the getters of RegExp.prototype: the flags
 * are the first byte of the compiled form, as in Duktape's own getter.
 */

static ngx_int_t
ngx_faas_string_class(duk_context *duk, ngx_faas_vm_data_t *heap)
{
    void        *re;
    u_char       set[256];
    ngx_int_t    rc;
    const char  *bc;

    re = duk_get_heapptr(duk, 0);

    if (re == NULL) {
        return NGX_DECLINED;
    }

    if (re == heap->escape_re) {
        return NGX_OK;
    }

    /* Object.prototype.toString tells a RegExp from its imitations */

    duk_push_heapptr(duk, heap->to_string);
    duk_dup(duk, 0);
    duk_call_method(duk, 0);
    rc = ngx_strcmp(duk_get_string(duk, -1), "[object RegExp]") == 0;
    duk_pop(duk);

    if (!rc) {
        return NGX_DECLINED;
    }

    duk_get_prop_literal(duk, 0, DUK_INTERNAL_SYMBOL("Bytecode"));
    bc = duk_get_string(duk, -1);
    rc = bc != NULL
         && (bc[0] & (NGX_FAAS_RE_GLOBAL|NGX_FAAS_RE_IGNORE_CASE))
            == NGX_FAAS_RE_GLOBAL;
    duk_pop(duk);

    if (!rc || ngx_faas_string_parse(duk, set) != NGX_OK) {
        return NGX_DECLINED;
    }

    ngx_memcpy(heap->escape_set, set, sizeof(set));

    duk_push_heap_stash(duk);
    duk_dup(duk, 0);
    duk_put_prop_literal(duk, -2, NGX_FAAS_STRING_RE);
    duk_pop(duk);

    heap->escape_re = re;

    return NGX_OK;
}


/*
 * "[...]" of printable ASCII but "[", "]", "^" and "-", any of which but
 * a letter, a digit, "_" or "$" may also be escaped: Duktape writes "/"
 * as "\/" in a source, as in mustache's /[&<>"'`=\/]/g, and "\]", "\-",
 * "\^" or "\\" are the character itself (ES5.1 15.10.2.19, IdentityEscape).
 * An escaped letter or digit is a class ("\d"), a code ("\x41", "\b" is
 * a backspace) or a syntax error, and is left to the engine.
 */

static ngx_int_t
ngx_faas_string_parse(duk_context *duk, u_char *set)
{
    u_char      c;
    const char *src;
    duk_size_t  i, len;
    ngx_int_t   rc;

    duk_get_prop_literal(duk, 0, DUK_INTERNAL_SYMBOL("Source"));
    src = duk_get_lstring(duk, -1, &len);

    rc = NGX_DECLINED;

    if (src != NULL && len > 2 && len < 64
        && src[0] == '[' && src[len - 1] == ']')
    {
        ngx_memzero(set, 256);
        rc = NGX_OK;

        for (i = 1; i < len - 1; i++) {
            c = src[i];

            if (c == '\\' && i + 1 < len - 1) {
                c = src[++i];

                if (c < 0x20 || c > 0x7e || (c >= '0' && c <= '9')
                    || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
                    || c == '_' || c == '$')
                {
                    rc = NGX_DECLINED;
                    break;
                }

                set[c] = 1;
                continue;
            }

            if (c < 0x20 || c > 0x7e || c == '\\' || c == ']' || c == '['
                || c == '^' || c == '-')
            {
                rc = NGX_DECLINED;
                break;
            }

            set[c] = 1;
        }
    }

    duk_pop(duk);

    return rc;
}


/*
 * lead and continuation bytes as Duktape's decoder accepts them; on
 * anything else its regular expression engine throws, and so must we
 */

static ngx_int_t
ngx_faas_string_valid(u_char *p, u_char *end)
{
    u_char      c;
    ngx_uint_t  n;

    while (p < end) {
        c = *p++;

        if (c < 0x80) {
            continue;
        }

        if (c < 0xc0 || c == 0xff) {
            return 0;
        }

        n = (c < 0xe0) ? 1 : (c < 0xf0) ? 2 : (c < 0xf8) ? 3
            : (c < 0xfc) ? 4 : (c < 0xfe) ? 5 : 6;

        if ((size_t) (end - p) < n) {
            return 0;
        }

        while (n--) {
            if ((*p++ & 0xc0) != 0x80) {
                return 0;
            }
        }
    }

    return 1;
}


/* stack: [ search replace this ] -> [ search replace this answer ] */

static void
ngx_faas_string_fallback(duk_context *duk, ngx_faas_vm_data_t *heap)
{
    duk_push_heapptr(duk, heap->replace);
    duk_dup(duk, 2);
    duk_dup(duk, 0);
    duk_dup(duk, 1);
    duk_call_method(duk, 2);
}
