
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <math.h>

#include "ngx_faas.h"
#include "ngx_faas_builtins.h"


/*
 * The ES2015-2019 library functions that Duktape 2.7 lacks and that
 * transpilers cannot add: Array.from/of, find, findIndex, includes, fill,
 * flat, flatMap, Object.entries/values/fromEntries, padStart, padEnd,
 * trimStart, trimEnd.  Each follows the spec's steps; a function Duktape
 * already has (a later Duktape, say) is left alone.  Arrays created here
 * are plain arrays: there is no @@species in Duktape, whose own map() and
 * filter() ignore it too.
 */


#define NGX_FAAS_BUILTINS_ARRAY     DUK_HIDDEN_SYMBOL("faasArray")
#define NGX_FAAS_BUILTINS_ITERATOR  DUK_WELLKNOWN_SYMBOL("Symbol.iterator")

/* 2^53 - 1, the largest length of an array-like (ToLength) */
#define NGX_FAAS_BUILTINS_MAX_LENGTH  9007199254740991.0

/* the longest string padStart() builds, in characters (V8's limit) */
#define NGX_FAAS_BUILTINS_MAX_STRING  536870888.0


typedef struct {
    duk_idx_t  target;
    duk_idx_t  map;
    duk_idx_t  this_arg;
    double     k;
} ngx_faas_builtins_from_t;


static void ngx_faas_builtins_install(duk_context *duk, const char *object,
    const char *property, ngx_faas_builtins_fn_t *fns);
static double ngx_faas_builtins_length(duk_context *duk, duk_idx_t idx);
static double ngx_faas_builtins_integer(duk_context *duk, duk_idx_t idx);
static double ngx_faas_builtins_relative(double rel, double len);
static void ngx_faas_builtins_get(duk_context *duk, duk_idx_t idx, double k);
static void ngx_faas_builtins_put(duk_context *duk, duk_idx_t idx, double k);
static void ngx_faas_builtins_create(duk_context *duk, duk_idx_t idx,
    double k);
static duk_bool_t ngx_faas_builtins_push_target(duk_context *duk,
    duk_idx_t ctor, duk_int_t nargs, double len);
static void ngx_faas_builtins_close(duk_context *duk, duk_idx_t iterator);
static duk_ret_t ngx_faas_builtins_from(duk_context *duk);
static duk_ret_t ngx_faas_builtins_from_step(duk_context *duk, void *data);
static duk_ret_t ngx_faas_builtins_of(duk_context *duk);
static duk_ret_t ngx_faas_builtins_find(duk_context *duk);
static duk_ret_t ngx_faas_builtins_includes(duk_context *duk);
static duk_ret_t ngx_faas_builtins_fill(duk_context *duk);
static duk_ret_t ngx_faas_builtins_flat(duk_context *duk);
static double ngx_faas_builtins_flatten(duk_context *duk, duk_idx_t target,
    duk_idx_t source, double len, double start, double depth,
    duk_idx_t mapper);
static duk_ret_t ngx_faas_builtins_entries(duk_context *duk);
static duk_ret_t ngx_faas_builtins_from_entries(duk_context *duk);
static duk_ret_t ngx_faas_builtins_entry(duk_context *duk, void *data);
static duk_ret_t ngx_faas_builtins_pad(duk_context *duk);
static duk_ret_t ngx_faas_builtins_trim(duk_context *duk);
static ngx_uint_t ngx_faas_builtins_space(u_char **pp, u_char *end);


static ngx_faas_builtins_fn_t  ngx_faas_builtins_array[] = {
    { "from", ngx_faas_builtins_from, 3, 1, 0 },
    { "of", ngx_faas_builtins_of, DUK_VARARGS, 0, 0 },
    { NULL, NULL, 0, 0, 0 }
};


static ngx_faas_builtins_fn_t  ngx_faas_builtins_array_proto[] = {
    { "find", ngx_faas_builtins_find, 2, 1, 0 },
    { "findIndex", ngx_faas_builtins_find, 2, 1, 1 },
    { "includes", ngx_faas_builtins_includes, 2, 1, 0 },
    { "fill", ngx_faas_builtins_fill, 3, 1, 0 },
    { "flat", ngx_faas_builtins_flat, 1, 0, 0 },
    { "flatMap", ngx_faas_builtins_flat, 2, 1, 1 },
    { NULL, NULL, 0, 0, 0 }
};


static ngx_faas_builtins_fn_t  ngx_faas_builtins_object[] = {
    { "entries", ngx_faas_builtins_entries, 1, 1, 1 },
    { "values", ngx_faas_builtins_entries, 1, 1, 0 },
    { "fromEntries", ngx_faas_builtins_from_entries, 1, 1, 0 },
    { NULL, NULL, 0, 0, 0 }
};


/* trimLeft and trimRight are the same function objects (Annex B) */
static ngx_faas_builtins_fn_t  ngx_faas_builtins_string_proto[] = {
    { "padStart", ngx_faas_builtins_pad, 2, 1, 0 },
    { "padEnd", ngx_faas_builtins_pad, 2, 1, 1 },
    { "trimStart", ngx_faas_builtins_trim, 0, 0, 0 },
    { "trimEnd", ngx_faas_builtins_trim, 0, 0, 1 },
    { NULL, NULL, 0, 0, 0 }
};


void
ngx_faas_builtins_init(duk_context *duk)
{
    duk_push_heap_stash(duk);
    duk_get_global_literal(duk, "Array");
    duk_put_prop_literal(duk, -2, NGX_FAAS_BUILTINS_ARRAY);
    duk_pop(duk);

    ngx_faas_builtins_install(duk, "Array", NULL, ngx_faas_builtins_array);
    ngx_faas_builtins_install(duk, "Array", "prototype",
                              ngx_faas_builtins_array_proto);
    ngx_faas_builtins_install(duk, "Object", NULL, ngx_faas_builtins_object);
    ngx_faas_builtins_install(duk, "String", "prototype",
                              ngx_faas_builtins_string_proto);

    /* String.prototype.trimLeft = trimStart, trimRight = trimEnd */

    duk_get_global_literal(duk, "String");
    duk_get_prop_literal(duk, -1, "prototype");

    if (!duk_has_prop_literal(duk, -1, "trimLeft")) {
        duk_push_literal(duk, "trimLeft");
        duk_get_prop_literal(duk, -2, "trimStart");
        duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WC
                              | DUK_DEFPROP_CLEAR_E);
        duk_push_literal(duk, "trimRight");
        duk_get_prop_literal(duk, -2, "trimEnd");
        duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WC
                              | DUK_DEFPROP_CLEAR_E);
    }

    duk_pop_2(duk);
}


/* global[object][property] gets the functions it lacks */

static void
ngx_faas_builtins_install(duk_context *duk, const char *object,
    const char *property, ngx_faas_builtins_fn_t *fns)
{
    duk_get_global_string(duk, object);

    if (property) {
        duk_get_prop_string(duk, -1, property);
    }

    for ( /* void */ ; fns->name; fns++) {
        if (!duk_has_prop_string(duk, -1, fns->name)) {
            ngx_faas_builtins_define(duk, -1, fns);
        }
    }

    duk_pop_n(duk, property ? 2 : 1);
}


/* a method as the spec has them: writable, configurable, not enumerable */

void
ngx_faas_builtins_define(duk_context *duk, duk_idx_t idx,
    ngx_faas_builtins_fn_t *fn)
{
    idx = duk_normalize_index(duk, idx);

    duk_push_string(duk, fn->name);
    ngx_faas_builtins_push_function(duk, fn);
    duk_def_prop(duk, idx, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WC
                           | DUK_DEFPROP_CLEAR_E);
}


/* a C function with the "name" and "length" the spec gives it */

void
ngx_faas_builtins_push_function(duk_context *duk, ngx_faas_builtins_fn_t *fn)
{
    duk_push_c_function(duk, fn->handler, fn->nargs);
    duk_set_magic(duk, -1, fn->magic);

    duk_push_literal(duk, "name");
    duk_push_string(duk, fn->name);
    duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE
                          | DUK_DEFPROP_CLEAR_WE | DUK_DEFPROP_SET_C);

    duk_push_literal(duk, "length");
    duk_push_int(duk, fn->length);
    duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE
                          | DUK_DEFPROP_CLEAR_WE | DUK_DEFPROP_SET_C);
}


/* LengthOfArrayLike(O): ToLength(Get(O, "length")) */

static double
ngx_faas_builtins_length(duk_context *duk, duk_idx_t idx)
{
    double  len;

    duk_get_prop_literal(duk, idx, "length");
    len = ngx_faas_builtins_integer(duk, -1);
    duk_pop(duk);

    if (len <= 0) {
        return 0;
    }

    return len < NGX_FAAS_BUILTINS_MAX_LENGTH
           ? len : NGX_FAAS_BUILTINS_MAX_LENGTH;
}


/* ToIntegerOrInfinity: NaN is 0, fractions are truncated towards zero */

static double
ngx_faas_builtins_integer(duk_context *duk, duk_idx_t idx)
{
    double  n;

    n = duk_to_number(duk, idx);

    if (n != n) {
        return 0;
    }

    return n < 0 ? ceil(n) : floor(n);
}


/* a relative index (negative counts from the end) clamped to 0..len */

static double
ngx_faas_builtins_relative(double rel, double len)
{
    if (rel < 0) {
        return (len + rel > 0) ? len + rel : 0;
    }

    return rel < len ? rel : len;
}


/* pushes O[k]; indices past 2^32 - 2 are not array indices, but strings */

static void
ngx_faas_builtins_get(duk_context *duk, duk_idx_t idx, double k)
{
    if (k < 4294967295.0) {
        (void) duk_get_prop_index(duk, idx, (duk_uarridx_t) k);
        return;
    }

    idx = duk_normalize_index(duk, idx);
    duk_push_number(duk, k);
    (void) duk_get_prop(duk, idx);
}


/* O[k] = the value on top (popped), throwing if it cannot be set */

static void
ngx_faas_builtins_put(duk_context *duk, duk_idx_t idx, double k)
{
    if (k < 4294967295.0) {
        (void) duk_put_prop_index(duk, idx, (duk_uarridx_t) k);
        return;
    }

    idx = duk_normalize_index(duk, idx);
    duk_push_number(duk, k);
    duk_swap_top(duk, -2);
    (void) duk_put_prop(duk, idx);
}


/* CreateDataPropertyOrThrow(O, k, the value on top), the value popped */

static void
ngx_faas_builtins_create(duk_context *duk, duk_idx_t idx, double k)
{
    idx = duk_normalize_index(duk, idx);
    duk_push_number(duk, k);
    duk_swap_top(duk, -2);
    duk_def_prop(duk, idx, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WEC);
}


/*
 * The result of Array.from() and Array.of(): a plain array when "this" is
 * Array itself or no constructor, new C(len) (or new C()) otherwise;
 * returns 1 when it is a plain array, filled by put rather than define
 */

static duk_bool_t
ngx_faas_builtins_push_target(duk_context *duk, duk_idx_t ctor,
    duk_int_t nargs, double len)
{
    duk_bool_t  plain;

    plain = !duk_is_constructable(duk, ctor);

    if (!plain) {
        duk_push_heap_stash(duk);
        duk_get_prop_literal(duk, -1, NGX_FAAS_BUILTINS_ARRAY);
        plain = duk_get_heapptr(duk, -1) == duk_get_heapptr(duk, ctor);
        duk_pop_2(duk);
    }

    if (plain) {
        duk_push_array(duk);
        return 1;
    }

    duk_dup(duk, ctor);

    if (nargs) {
        duk_push_number(duk, len);
    }

    duk_new(duk, nargs);

    return 0;
}


/*
 * Array.from(items, mapFn, thisArg): an iterable through its iterator,
 * anything else as an array-like (Duktape's arrays and strings get
 * Symbol.iterator only from the collections; until then they take the
 * array-like path, with the same result except for astral characters)
 */

static duk_ret_t
ngx_faas_builtins_from(duk_context *duk)
{
    double                     k, len;
    duk_bool_t                 plain;
    ngx_faas_builtins_from_t   from;

    duk_push_this(duk);

    /* stack: [ items mapFn thisArg C ] */

    if (!duk_is_undefined(duk, 1) && !duk_is_callable(duk, 1)) {
        return duk_type_error(duk, "Array.from: %s is not a function",
                              duk_safe_to_string(duk, 1));
    }

    from.map = duk_is_undefined(duk, 1) ? -1 : 1;
    from.this_arg = 2;
    from.k = 0;

    if (ngx_faas_builtins_iterable(duk, 0)) {
        (void) ngx_faas_builtins_push_target(duk, 3, 0, 0);
        from.target = 4;

        /* stack: [ items mapFn thisArg C A ] */

        ngx_faas_builtins_iterate(duk, 0, ngx_faas_builtins_from_step, &from);

        duk_push_number(duk, from.k);
        duk_put_prop_literal(duk, 4, "length");
        return 1;
    }

    duk_dup(duk, 0);
    duk_to_object(duk, 4);
    len = ngx_faas_builtins_length(duk, 4);
    plain = ngx_faas_builtins_push_target(duk, 3, 1, len);

    /* stack: [ items mapFn thisArg C arrayLike A ] */

    for (k = 0; k < len; k++) {

        if (from.map != -1) {
            duk_dup(duk, 1);
            duk_dup(duk, 2);
            ngx_faas_builtins_get(duk, 4, k);
            duk_push_number(duk, k);
            duk_call_method(duk, 2);

        } else {
            ngx_faas_builtins_get(duk, 4, k);
        }

        if (plain) {
            ngx_faas_builtins_put(duk, 5, k);

        } else {
            ngx_faas_builtins_create(duk, 5, k);
        }
    }

    duk_push_number(duk, len);
    duk_put_prop_literal(duk, 5, "length");

    return 1;
}


/* one value of the iterable, on top of the stack, into the array */

static duk_ret_t
ngx_faas_builtins_from_step(duk_context *duk, void *data)
{
    ngx_faas_builtins_from_t  *from = data;

    if (from->map != -1) {
        duk_dup(duk, from->map);
        duk_dup(duk, from->this_arg);
        duk_pull(duk, -3);
        duk_push_number(duk, from->k);
        duk_call_method(duk, 2);
    }

    ngx_faas_builtins_create(duk, from->target, from->k);
    from->k++;

    return 0;
}


/* Array.of(...items) */

static duk_ret_t
ngx_faas_builtins_of(duk_context *duk)
{
    duk_idx_t   i, n;
    duk_bool_t  plain;

    n = duk_get_top(duk);

    duk_push_this(duk);
    plain = ngx_faas_builtins_push_target(duk, n, 1, n);

    /* stack: [ items... C A ] */

    for (i = 0; i < n; i++) {
        duk_dup(duk, i);

        if (plain) {
            duk_put_prop_index(duk, n + 1, (duk_uarridx_t) i);

        } else {
            ngx_faas_builtins_create(duk, n + 1, i);
        }
    }

    duk_push_int(duk, n);
    duk_put_prop_literal(duk, n + 1, "length");

    return 1;
}


/* find(predicate, thisArg) and findIndex (magic 1): holes are undefined */

static duk_ret_t
ngx_faas_builtins_find(duk_context *duk)
{
    double  k, len;

    duk_push_this(duk);
    duk_to_object(duk, 2);
    len = ngx_faas_builtins_length(duk, 2);

    if (!duk_is_callable(duk, 0)) {
        return duk_type_error(duk, "%s is not a function",
                              duk_safe_to_string(duk, 0));
    }

    /* stack: [ predicate thisArg O ] */

    for (k = 0; k < len; k++) {
        ngx_faas_builtins_get(duk, 2, k);
        duk_dup(duk, 0);
        duk_dup(duk, 1);
        duk_dup(duk, 3);
        duk_push_number(duk, k);
        duk_dup(duk, 2);
        duk_call_method(duk, 3);

        /* stack: [ predicate thisArg O kValue result ] */

        if (duk_to_boolean(duk, 4)) {
            if (duk_get_current_magic(duk)) {
                duk_push_number(duk, k);
                return 1;
            }

            duk_pop(duk);
            return 1;
        }

        duk_pop_2(duk);
    }

    if (duk_get_current_magic(duk)) {
        duk_push_int(duk, -1);
        return 1;
    }

    return 0;
}


/* includes(searchElement, fromIndex): SameValueZero, so NaN is found */

static duk_ret_t
ngx_faas_builtins_includes(duk_context *duk)
{
    double      k, n, len;
    duk_bool_t  nan;

    duk_push_this(duk);
    duk_to_object(duk, 2);
    len = ngx_faas_builtins_length(duk, 2);

    if (len == 0) {
        duk_push_false(duk);
        return 1;
    }

    n = ngx_faas_builtins_integer(duk, 1);

    if (n >= len) {
        duk_push_false(duk);
        return 1;
    }

    k = ngx_faas_builtins_relative(n, len);
    nan = duk_is_nan(duk, 0);

    /* stack: [ searchElement fromIndex O ] */

    for ( /* void */ ; k < len; k++) {
        ngx_faas_builtins_get(duk, 2, k);

        if (duk_strict_equals(duk, 0, 3) || (nan && duk_is_nan(duk, 3))) {
            duk_push_true(duk);
            return 1;
        }

        duk_pop(duk);
    }

    duk_push_false(duk);
    return 1;
}


/* fill(value, start, end) */

static duk_ret_t
ngx_faas_builtins_fill(duk_context *duk)
{
    double  k, end, len;

    duk_push_this(duk);
    duk_to_object(duk, 3);
    len = ngx_faas_builtins_length(duk, 3);

    k = ngx_faas_builtins_relative(ngx_faas_builtins_integer(duk, 1), len);
    end = duk_is_undefined(duk, 2)
          ? len
          : ngx_faas_builtins_relative(ngx_faas_builtins_integer(duk, 2),
                                       len);

    /* stack: [ value start end O ] */

    for ( /* void */ ; k < end; k++) {
        duk_dup(duk, 0);
        ngx_faas_builtins_put(duk, 3, k);
    }

    return 1;
}


/* flat(depth) and flatMap(mapper, thisArg) (magic 1) */

static duk_ret_t
ngx_faas_builtins_flat(duk_context *duk)
{
    double     len, depth;
    duk_idx_t  mapper;

    duk_set_top(duk, 2);
    duk_push_this(duk);
    duk_to_object(duk, 2);
    len = ngx_faas_builtins_length(duk, 2);

    if (duk_get_current_magic(duk)) {
        if (!duk_is_callable(duk, 0)) {
            return duk_type_error(duk, "flatMap: %s is not a function",
                                  duk_safe_to_string(duk, 0));
        }

        mapper = 0;
        depth = 1;

    } else {
        mapper = -1;
        depth = duk_is_undefined(duk, 0) ? 1
                                         : ngx_faas_builtins_integer(duk, 0);
        if (depth < 0) {
            depth = 0;
        }
    }

    duk_push_array(duk);

    /* stack: [ depth|mapper undefined|thisArg O A ] */

    (void) ngx_faas_builtins_flatten(duk, 3, 2, len, 0, depth, mapper);

    return 1;
}


/*
 * FlattenIntoArray: the elements of source that exist, arrays among them
 * spread depth levels deep (Infinity too: a cycle ends in RangeError);
 * the mapper, if any, is called with this = the value at index 1
 */

static double
ngx_faas_builtins_flatten(duk_context *duk, duk_idx_t target,
    duk_idx_t source, double len, double start, double depth,
    duk_idx_t mapper)
{
    double     k, n;
    duk_idx_t  top;

    duk_require_stack(duk, 8);

    for (k = 0; k < len; k++) {

        if (k < 4294967295.0) {
            if (!duk_has_prop_index(duk, source, (duk_uarridx_t) k)) {
                continue;
            }

        } else {
            duk_push_number(duk, k);
            if (!duk_has_prop(duk, source)) {
                continue;
            }
        }

        ngx_faas_builtins_get(duk, source, k);

        if (mapper != -1) {
            duk_dup(duk, mapper);
            duk_dup(duk, 1);
            duk_pull(duk, -3);
            duk_push_number(duk, k);
            duk_dup(duk, source);
            duk_call_method(duk, 3);
        }

        if (depth > 0 && duk_is_array(duk, -1)) {
            top = duk_get_top_index(duk);
            n = ngx_faas_builtins_length(duk, top);
            start = ngx_faas_builtins_flatten(duk, target, top, n, start,
                                              depth - 1, -1);
            duk_pop(duk);
            continue;
        }

        if (start >= NGX_FAAS_BUILTINS_MAX_LENGTH) {
            (void) duk_type_error(duk, "flat: too many elements");
        }

        ngx_faas_builtins_put(duk, target, start);
        start++;
    }

    return start;
}


/* Object.values(O) and Object.entries(O) (magic 1) */

static duk_ret_t
ngx_faas_builtins_entries(duk_context *duk)
{
    duk_uarridx_t  i;
    duk_bool_t     entries;

    entries = duk_get_current_magic(duk);

    duk_to_object(duk, 0);
    duk_push_array(duk);
    duk_enum(duk, 0, DUK_ENUM_OWN_PROPERTIES_ONLY);

    /* stack: [ O result enum ] */

    for (i = 0; duk_next(duk, 2, 1); i++) {

        if (entries) {
            duk_push_array(duk);
            duk_pull(duk, -3);
            duk_put_prop_index(duk, -2, 0);
            duk_pull(duk, -2);
            duk_put_prop_index(duk, -2, 1);

        } else {
            duk_remove(duk, -2);
        }

        duk_put_prop_index(duk, 1, i);
    }

    duk_pop(duk);

    return 1;
}


/* Object.fromEntries(iterable) */

static duk_ret_t
ngx_faas_builtins_from_entries(duk_context *duk)
{
    duk_idx_t  target;

    if (duk_is_null_or_undefined(duk, 0)) {
        return duk_type_error(duk, "Object.fromEntries: %s is not iterable",
                              duk_safe_to_string(duk, 0));
    }

    duk_push_object(duk);
    target = 1;

    ngx_faas_builtins_iterate(duk, 0, ngx_faas_builtins_entry, &target);

    return 1;
}


/* one [key, value] entry, on top of the stack, into the object */

static duk_ret_t
ngx_faas_builtins_entry(duk_context *duk, void *data)
{
    duk_idx_t  *target = data;

    if (!duk_is_object(duk, -1)) {
        return duk_type_error(duk, "iterator value %s is not an entry object",
                              duk_safe_to_string(duk, -1));
    }

    duk_get_prop_index(duk, -1, 0);
    duk_get_prop_index(duk, -2, 1);
    duk_def_prop(duk, *target, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WEC);
    duk_pop(duk);

    return 0;
}


/* whether the value at idx has a callable Symbol.iterator */

duk_bool_t
ngx_faas_builtins_iterable(duk_context *duk, duk_idx_t idx)
{
    duk_bool_t  callable;

    if (duk_is_null_or_undefined(duk, idx)) {
        return 0;
    }

    duk_get_prop_literal(duk, idx, NGX_FAAS_BUILTINS_ITERATOR);

    if (duk_is_null_or_undefined(duk, -1)) {
        duk_pop(duk);
        return 0;
    }

    callable = duk_is_callable(duk, -1);
    duk_pop(duk);

    if (!callable) {
        return duk_type_error(duk, "%s is not iterable",
                              duk_safe_to_string(duk, idx));
    }

    return 1;
}


/*
 * Calls step with each value the iterable at idx yields (the value on top
 * of the stack, in a protected call); if a step throws, the iterator's
 * return() is called and the error rethrown (IteratorClose).  An array
 * without Symbol.iterator (Duktape's own, before the collections add it)
 * yields its elements by index, as the default array iterator does.
 */

void
ngx_faas_builtins_iterate(duk_context *duk, duk_idx_t idx,
    duk_safe_call_function step, void *data)
{
    double     k, len;
    duk_idx_t  iterator;

    idx = duk_normalize_index(duk, idx);

    if (!ngx_faas_builtins_iterable(duk, idx)) {

        if (!duk_is_array(duk, idx)) {
            (void) duk_type_error(duk, "%s is not iterable",
                                  duk_safe_to_string(duk, idx));
        }

        for (k = 0; k < (len = ngx_faas_builtins_length(duk, idx)); k++) {
            ngx_faas_builtins_get(duk, idx, k);
            (void) step(duk, data);
        }

        return;
    }

    duk_get_prop_literal(duk, idx, NGX_FAAS_BUILTINS_ITERATOR);
    duk_dup(duk, idx);
    duk_call_method(duk, 0);

    if (!duk_is_object(duk, -1)) {
        (void) duk_type_error(duk, "iterator is not an object");
    }

    iterator = duk_get_top_index(duk);
    duk_get_prop_literal(duk, iterator, "next");

    /* stack: [ ... iterator next ] */

    for ( ;; ) {
        duk_dup(duk, iterator + 1);
        duk_dup(duk, iterator);
        duk_call_method(duk, 0);

        if (!duk_is_object(duk, -1)) {
            (void) duk_type_error(duk, "iterator result is not an object");
        }

        duk_get_prop_literal(duk, -1, "done");

        if (duk_to_boolean(duk, -1)) {
            duk_pop_n(duk, 4);
            return;
        }

        duk_pop(duk);
        duk_get_prop_literal(duk, -1, "value");
        duk_remove(duk, -2);

        /* stack: [ ... iterator next value ] */

        if (duk_safe_call(duk, step, data, 1, 1) != DUK_EXEC_SUCCESS) {
            ngx_faas_builtins_close(duk, iterator);
            (void) duk_throw(duk);
        }

        duk_pop(duk);
    }
}


/* IteratorClose after an error (on top, kept): its own errors are dropped */

static void
ngx_faas_builtins_close(duk_context *duk, duk_idx_t iterator)
{
    duk_get_prop_literal(duk, iterator, "return");

    if (duk_is_callable(duk, -1)) {
        duk_dup(duk, iterator);
        (void) duk_pcall_method(duk, 0);
    }

    duk_pop(duk);
}


/* padStart(maxLength, fillString) and padEnd (magic 1) */

static duk_ret_t
ngx_faas_builtins_pad(duk_context *duk)
{
    u_char      *p;
    size_t       slen, flen, plen;
    double       max, len, fill, q, r;
    const char  *s, *f, *part;

    duk_push_this(duk);

    if (duk_is_null_or_undefined(duk, 2)) {
        return duk_type_error(duk, "\"this\" is null or undefined");
    }

    s = duk_to_lstring(duk, 2, &slen);
    max = ngx_faas_builtins_integer(duk, 0);
    len = (double) duk_get_length(duk, 2);

    if (max <= len) {
        return 1;
    }

    if (duk_is_undefined(duk, 1)) {
        duk_push_literal(duk, " ");
        duk_replace(duk, 1);
    }

    f = duk_to_lstring(duk, 1, &flen);

    if (flen == 0) {
        return 1;
    }

    if (max > NGX_FAAS_BUILTINS_MAX_STRING) {
        return duk_range_error(duk, "invalid string length");
    }

    /* the filler repeated q times and its first r characters */

    fill = max - len;
    len = (double) duk_get_length(duk, 1);
    q = floor(fill / len);
    r = fill - q * len;

    duk_dup(duk, 1);
    duk_substring(duk, 3, 0, (duk_size_t) r);
    part = duk_get_lstring(duk, 3, &plen);

    /* stack: [ maxLength fillString S part ] */

    p = duk_push_fixed_buffer(duk, (size_t) q * flen + plen + slen);

    /* stack: [ maxLength fillString S part buffer ] */

    if (duk_get_current_magic(duk)) {
        p = ngx_cpymem(p, s, slen);
    }

    for ( /* void */ ; q > 0; q--) {
        p = ngx_cpymem(p, f, flen);
    }

    p = ngx_cpymem(p, part, plen);

    if (!duk_get_current_magic(duk)) {
        (void) ngx_cpymem(p, s, slen);
    }

    (void) duk_buffer_to_string(duk, -1);

    return 1;
}


/* trimStart() and trimEnd() (magic 1): WhiteSpace and LineTerminator */

static duk_ret_t
ngx_faas_builtins_trim(duk_context *duk)
{
    size_t   len;
    u_char  *p, *start, *end, *last;

    duk_push_this(duk);

    if (duk_is_null_or_undefined(duk, 0)) {
        return duk_type_error(duk, "\"this\" is null or undefined");
    }

    start = (u_char *) duk_to_lstring(duk, 0, &len);
    end = start + len;

    if (duk_get_current_magic(duk) == 0) {
        p = start;

        while (p < end) {
            last = p;

            if (!ngx_faas_builtins_space(&p, end)) {
                p = last;
                break;
            }
        }

        duk_push_lstring(duk, (char *) p, end - p);
        return 1;
    }

    /* the end of the last character that is not white space */

    last = start;
    p = start;

    while (p < end) {
        if (!ngx_faas_builtins_space(&p, end)) {
            last = p;
        }
    }

    duk_push_lstring(duk, (char *) start, last - start);
    return 1;
}


/*
 * Decodes the character at *pp (Duktape's internal UTF-8, surrogates and
 * all), moves *pp past it, and tells whether it is white space
 */

static ngx_uint_t
ngx_faas_builtins_space(u_char **pp, u_char *end)
{
    u_char     *p;
    uint32_t    c;
    ngx_uint_t  n;

    p = *pp;
    c = *p++;

    if (c < 0x80) {
        *pp = p;
        return (c >= 0x09 && c <= 0x0d) || c == 0x20;
    }

    n = (c >= 0xf0) ? 3 : (c >= 0xe0) ? 2 : 1;
    c &= 0x3f >> n;

    while (n-- && p < end) {
        c = (c << 6) | (*p++ & 0x3f);
    }

    /* any longer sequence Duktape may hold is skipped byte by byte */

    *pp = p;

    return c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a)
           || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f
           || c == 0x3000 || c == 0xfeff;
}
