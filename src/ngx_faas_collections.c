
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_faas.h"
#include "ngx_faas_builtins.h"
#include "ngx_faas_vm.h"
#include "ngx_faas_collections.h"


/*
 * Map, Set, WeakMap and WeakSet (ECMAScript 2019, 23.1 - 23.4), and the
 * iterators of arrays, typed arrays and strings, which Duktape 2.7 lacks.
 *
 * A Map or Set keeps its entries in a "table": a bare array holding the
 * keys (and values) in insertion order, so the garbage collector sees
 * them, with a hash index in a fixed buffer hung on the array.  Both are
 * allocated by the heap, so faas_memory caps them and the collector frees
 * them with their owner: no finalizer is involved.  The index finds a key
 * by what SameValueZero compares: the heap pointer of a string (Duktape
 * interns every string), object or buffer, the bits of a number (NaN made
 * one NaN, -0 made +0), or the constant of undefined, null, true, false.
 *
 * A deleted entry stays in the table as a hole until the table is full,
 * then the live entries move to a new table and the old one becomes
 * "obsolete": it keeps only the positions removed and a link to the new
 * table.  An iterator (or a forEach in progress) holding an obsolete table
 * moves its position down by the holes below it and follows the link, so
 * it sees later additions and skips deletions, as the spec's list does.
 * Only iterators keep obsolete tables alive.
 *
 * Duktape may run finalizers (Duktape.fin) from inside any allocation or
 * any release of a value, and a finalizer may change the collection: a
 * pointer into an index is never used across an API call that allocates
 * or releases a value.  Tables are filled with undefined up to their
 * capacity when made, so adding an entry writes into slots that exist.
 */


#define NGX_FAAS_COLL_KEY_TABLE     DUK_HIDDEN_SYMBOL("faasTable")
#define NGX_FAAS_COLL_KEY_INDEX     DUK_HIDDEN_SYMBOL("faasIndex")
#define NGX_FAAS_COLL_KEY_NEXT      DUK_HIDDEN_SYMBOL("faasNext")
#define NGX_FAAS_COLL_KEY_STATE     DUK_HIDDEN_SYMBOL("faasIterState")
#define NGX_FAAS_COLL_KEY_TARGET    DUK_HIDDEN_SYMBOL("faasIterTarget")
#define NGX_FAAS_COLL_KEY_STASH     DUK_HIDDEN_SYMBOL("faasCollections")

#define NGX_FAAS_COLL_ITERATOR      DUK_WELLKNOWN_SYMBOL("Symbol.iterator")
#define NGX_FAAS_COLL_TAG           DUK_WELLKNOWN_SYMBOL("Symbol.toStringTag")

/* what an index belongs to */
#define NGX_FAAS_COLL_MAP           0
#define NGX_FAAS_COLL_SET           1
#define NGX_FAAS_COLL_WEAKMAP       2
#define NGX_FAAS_COLL_WEAKSET       3
#define NGX_FAAS_COLL_OBSOLETE      4

/* what an iterator walks: a Map's or a Set's table, an array, a string */
#define NGX_FAAS_COLL_ITER_MAP      0
#define NGX_FAAS_COLL_ITER_SET      1
#define NGX_FAAS_COLL_ITER_ARRAY    2
#define NGX_FAAS_COLL_ITER_STRING   3

/* what it yields */
#define NGX_FAAS_COLL_KEYS          0
#define NGX_FAAS_COLL_VALUES        1
#define NGX_FAAS_COLL_ENTRIES       2

/* magic of the functions that make iterators: what << 2 | kind */
#define NGX_FAAS_COLL_MAGIC(what, kind)  ((what) << 2 | (kind))
#define NGX_FAAS_COLL_TYPED         0x40    /* %TypedArray%.prototype */

/* kinds of keys; EMPTY marks a deleted entry */
#define NGX_FAAS_COLL_EMPTY         0
#define NGX_FAAS_COLL_UNDEFINED     1
#define NGX_FAAS_COLL_NULL          2
#define NGX_FAAS_COLL_BOOLEAN       3
#define NGX_FAAS_COLL_NUMBER        4
#define NGX_FAAS_COLL_HEAP          5       /* string, object, buffer */
#define NGX_FAAS_COLL_POINTER       6
#define NGX_FAAS_COLL_LIGHTFUNC     7       /* | magic << 8 */

#define NGX_FAAS_COLL_NONE          0xffffffff
#define NGX_FAAS_COLL_CLEARED       0xffffffff
#define NGX_FAAS_COLL_MIN           8
#define NGX_FAAS_COLL_MAX           (1 << 28)

/* slots of the array kept in the stash */
#define NGX_FAAS_COLL_S_PROTO       0       /* + ITER_*: iterator protos */
#define NGX_FAAS_COLL_S_ADDER       4       /* + type: set/add originals */
#define NGX_FAAS_COLL_S_ITERATE     8       /* + ITER_*: @@iterator */
#define NGX_FAAS_COLL_S_NEXT        12      /* + ITER_*: next originals */
#define NGX_FAAS_COLL_S_SERIAL      16      /* weak collections made */

/* attributes of built-in methods: writable, configurable, not enumerable */
#define NGX_FAAS_COLL_BUILTIN                                                 \
    (DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_SET_WRITABLE                          \
     |DUK_DEFPROP_SET_CONFIGURABLE|DUK_DEFPROP_CLEAR_ENUMERABLE)

/* "name", "length", @@toStringTag: only configurable */
#define NGX_FAAS_COLL_FIXED                                                   \
    (DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_CLEAR_WE|DUK_DEFPROP_SET_CONFIGURABLE)

/* hidden state: written even on frozen or non-extensible objects */
#define NGX_FAAS_COLL_HIDDEN                                                  \
    (DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_SET_WRITABLE                          \
     |DUK_DEFPROP_SET_CONFIGURABLE|DUK_DEFPROP_CLEAR_ENUMERABLE               \
     |DUK_DEFPROP_FORCE)


typedef struct {
    void                  *owner;       /* heap pointer of the collection */
    uint32_t               type;
    uint32_t               size;        /* live entries; obsolete: the
                                           removed positions that follow,
                                           or NGX_FAAS_COLL_CLEARED */
    uint32_t               used;        /* entries live or deleted */
    uint32_t               capacity;
    uint32_t               mask;        /* buckets - 1 */
    uint32_t               version;     /* bumped by every change */
} ngx_faas_coll_index_t;

/* the index buffer: the header, buckets[mask + 1], slots[capacity] */

typedef struct {
    uint64_t               payload;
    uint32_t               next;        /* in the bucket's chain */
    uint32_t               kind;
} ngx_faas_coll_slot_t;


typedef struct {
    uint64_t               payload;
    uint32_t               kind;
    uint32_t               hash;
} ngx_faas_coll_key_t;


typedef struct {
    duk_idx_t              obj;
    duk_idx_t              adder;
    ngx_uint_t             type;
} ngx_faas_coll_fill_t;


typedef struct {
    void                  *self;        /* heap pointer of the iterator */
    uint32_t               what;        /* NGX_FAAS_COLL_ITER_* */
    uint32_t               kind;
    double                 pos;
} ngx_faas_coll_iter_t;


#define ngx_faas_coll_buckets(ix)  ((uint32_t *) ((ix) + 1))
#define ngx_faas_coll_slots(ix)                                               \
    ((ngx_faas_coll_slot_t *) (ngx_faas_coll_buckets(ix) + (ix)->mask + 1))
#define ngx_faas_coll_stride(type)  ((type) == NGX_FAAS_COLL_MAP ? 2 : 1)


static void ngx_faas_coll_define_class(duk_context *duk, duk_idx_t stash,
    ngx_uint_t type);
static void ngx_faas_coll_define_iterators(duk_context *duk,
    duk_idx_t stash);
static void ngx_faas_coll_define_methods(duk_context *duk, duk_idx_t obj,
    ngx_faas_builtins_fn_t *fn);
static void ngx_faas_coll_define_tag(duk_context *duk, duk_idx_t obj,
    const char *tag);
static duk_ret_t ngx_faas_coll_constructor(duk_context *duk);
static void ngx_faas_coll_create(duk_context *duk, duk_idx_t obj,
    ngx_uint_t type);
static void ngx_faas_coll_push_empty(duk_context *duk, void *owner,
    ngx_uint_t type, uint32_t capacity);
static void ngx_faas_coll_push_index(duk_context *duk, void *owner,
    ngx_uint_t type, uint32_t capacity);
static void ngx_faas_coll_fill(duk_context *duk, duk_idx_t obj,
    duk_idx_t iterable, ngx_uint_t type);
static ngx_int_t ngx_faas_coll_fill_fast(duk_context *duk, duk_idx_t obj,
    duk_idx_t iterable, duk_idx_t stash, ngx_uint_t type);
static duk_ret_t ngx_faas_coll_fill_step(duk_context *duk, void *data);
static void ngx_faas_coll_add_item(duk_context *duk, duk_idx_t obj,
    ngx_uint_t type);
static duk_ret_t ngx_faas_coll_get(duk_context *duk);
static duk_ret_t ngx_faas_coll_set(duk_context *duk);
static duk_ret_t ngx_faas_coll_has(duk_context *duk);
static duk_ret_t ngx_faas_coll_delete(duk_context *duk);
static duk_ret_t ngx_faas_coll_clear(duk_context *duk);
static duk_ret_t ngx_faas_coll_size(duk_context *duk);
static duk_ret_t ngx_faas_coll_for_each(duk_context *duk);
static duk_ret_t ngx_faas_coll_iterate(duk_context *duk);
static duk_ret_t ngx_faas_coll_weak_set(duk_context *duk);
static duk_ret_t ngx_faas_coll_weak_get(duk_context *duk);
static duk_ret_t ngx_faas_coll_weak_has(duk_context *duk);
static duk_ret_t ngx_faas_coll_weak_delete(duk_context *duk);
static duk_ret_t ngx_faas_coll_array_iterate(duk_context *duk);
static duk_ret_t ngx_faas_coll_string_iterate(duk_context *duk);
static duk_ret_t ngx_faas_coll_next(duk_context *duk);
static ngx_int_t ngx_faas_coll_next_table(duk_context *duk,
    ngx_faas_coll_iter_t *it, duk_idx_t target);
static ngx_int_t ngx_faas_coll_next_array(duk_context *duk,
    ngx_faas_coll_iter_t *it, duk_idx_t target);
static ngx_int_t ngx_faas_coll_next_string(duk_context *duk,
    ngx_faas_coll_iter_t *it, duk_idx_t target);
static duk_ret_t ngx_faas_coll_iterator_self(duk_context *duk);
static void ngx_faas_coll_push_iterator(duk_context *duk, duk_idx_t target,
    ngx_uint_t what, ngx_uint_t kind);
static void ngx_faas_coll_push_entry(duk_context *duk, duk_idx_t table,
    uint32_t pos, ngx_uint_t type, ngx_uint_t kind);
static ngx_faas_coll_index_t *ngx_faas_coll_push_table(duk_context *duk,
    duk_idx_t obj, ngx_uint_t type);
static ngx_faas_coll_index_t *ngx_faas_coll_index(duk_context *duk,
    duk_idx_t table);
static ngx_faas_coll_index_t *ngx_faas_coll_current(duk_context *duk,
    duk_idx_t table, uint32_t *pos);
static ngx_int_t ngx_faas_coll_seek(ngx_faas_coll_index_t *ix,
    uint32_t *pos);
static void ngx_faas_coll_key(duk_context *duk, duk_idx_t idx,
    ngx_faas_coll_key_t *key);
static uint32_t ngx_faas_coll_find(ngx_faas_coll_index_t *ix,
    ngx_faas_coll_key_t *key, uint32_t **link);
static void ngx_faas_coll_put(duk_context *duk, duk_idx_t obj,
    ngx_uint_t type, duk_idx_t k, duk_idx_t v);
static ngx_int_t ngx_faas_coll_remove(duk_context *duk, duk_idx_t obj,
    ngx_uint_t type, duk_idx_t k);
static void ngx_faas_coll_rebuild(duk_context *duk, duk_idx_t obj,
    duk_idx_t table, ngx_uint_t type, uint32_t capacity);
static void ngx_faas_coll_prefill(duk_context *duk, duk_idx_t table,
    uint32_t from, uint32_t to);
static void ngx_faas_coll_link(duk_context *duk, ngx_faas_coll_index_t *ix,
    uint32_t i);
static void ngx_faas_coll_retire(duk_context *duk, duk_idx_t obj,
    duk_idx_t table, duk_idx_t fresh, duk_idx_t removed);
static void ngx_faas_coll_weak_put(duk_context *duk, duk_idx_t obj,
    ngx_uint_t type, duk_idx_t k, duk_idx_t v);
static ngx_int_t ngx_faas_coll_weak_home(duk_context *duk,
    duk_idx_t holder, void *key);
static duk_idx_t ngx_faas_coll_weak_new(duk_context *duk, duk_idx_t top,
    duk_idx_t k);
static duk_uarridx_t ngx_faas_coll_weak_entry(duk_context *duk,
    duk_idx_t obj, ngx_uint_t type, duk_idx_t key);
static duk_uarridx_t ngx_faas_coll_weak_holder(duk_context *duk,
    duk_idx_t obj, ngx_uint_t type, duk_idx_t key);
static void ngx_faas_coll_push_stash(duk_context *duk);
static ngx_int_t ngx_faas_coll_is_original(duk_context *duk,
    duk_idx_t value, duk_idx_t stash, duk_uarridx_t slot);


static const char  *ngx_faas_coll_names[] = {
    "Map", "Set", "WeakMap", "WeakSet"
};


static ngx_faas_builtins_fn_t  ngx_faas_coll_map_methods[] = {
    { "get", ngx_faas_coll_get, 1, 1, NGX_FAAS_COLL_MAP },
    { "set", ngx_faas_coll_set, 2, 2, NGX_FAAS_COLL_MAP },
    { "has", ngx_faas_coll_has, 1, 1, NGX_FAAS_COLL_MAP },
    { "delete", ngx_faas_coll_delete, 1, 1, NGX_FAAS_COLL_MAP },
    { "clear", ngx_faas_coll_clear, 0, 0, NGX_FAAS_COLL_MAP },
    { "forEach", ngx_faas_coll_for_each, 2, 1, NGX_FAAS_COLL_MAP },
    { "keys", ngx_faas_coll_iterate, 0, 0,
      NGX_FAAS_COLL_MAGIC(NGX_FAAS_COLL_MAP, NGX_FAAS_COLL_KEYS) },
    { "values", ngx_faas_coll_iterate, 0, 0,
      NGX_FAAS_COLL_MAGIC(NGX_FAAS_COLL_MAP, NGX_FAAS_COLL_VALUES) },
    { "entries", ngx_faas_coll_iterate, 0, 0,
      NGX_FAAS_COLL_MAGIC(NGX_FAAS_COLL_MAP, NGX_FAAS_COLL_ENTRIES) },
    { NULL, NULL, 0, 0, 0 }
};


static ngx_faas_builtins_fn_t  ngx_faas_coll_set_methods[] = {
    { "add", ngx_faas_coll_set, 1, 1, NGX_FAAS_COLL_SET },
    { "has", ngx_faas_coll_has, 1, 1, NGX_FAAS_COLL_SET },
    { "delete", ngx_faas_coll_delete, 1, 1, NGX_FAAS_COLL_SET },
    { "clear", ngx_faas_coll_clear, 0, 0, NGX_FAAS_COLL_SET },
    { "forEach", ngx_faas_coll_for_each, 2, 1, NGX_FAAS_COLL_SET },
    { "entries", ngx_faas_coll_iterate, 0, 0,
      NGX_FAAS_COLL_MAGIC(NGX_FAAS_COLL_SET, NGX_FAAS_COLL_ENTRIES) },
    { "values", ngx_faas_coll_iterate, 0, 0,
      NGX_FAAS_COLL_MAGIC(NGX_FAAS_COLL_SET, NGX_FAAS_COLL_VALUES) },
    { NULL, NULL, 0, 0, 0 }
};


static ngx_faas_builtins_fn_t  ngx_faas_coll_weakmap_methods[] = {
    { "get", ngx_faas_coll_weak_get, 1, 1, NGX_FAAS_COLL_WEAKMAP },
    { "set", ngx_faas_coll_weak_set, 2, 2, NGX_FAAS_COLL_WEAKMAP },
    { "has", ngx_faas_coll_weak_has, 1, 1, NGX_FAAS_COLL_WEAKMAP },
    { "delete", ngx_faas_coll_weak_delete, 1, 1, NGX_FAAS_COLL_WEAKMAP },
    { NULL, NULL, 0, 0, 0 }
};


static ngx_faas_builtins_fn_t  ngx_faas_coll_weakset_methods[] = {
    { "add", ngx_faas_coll_weak_set, 1, 1, NGX_FAAS_COLL_WEAKSET },
    { "has", ngx_faas_coll_weak_has, 1, 1, NGX_FAAS_COLL_WEAKSET },
    { "delete", ngx_faas_coll_weak_delete, 1, 1, NGX_FAAS_COLL_WEAKSET },
    { NULL, NULL, 0, 0, 0 }
};


static ngx_faas_builtins_fn_t  *ngx_faas_coll_methods[] = {
    ngx_faas_coll_map_methods,
    ngx_faas_coll_set_methods,
    ngx_faas_coll_weakmap_methods,
    ngx_faas_coll_weakset_methods
};


/* Array.prototype and %TypedArray%.prototype; "values" is @@iterator */
static ngx_faas_builtins_fn_t  ngx_faas_coll_array_methods[] = {
    { "values", ngx_faas_coll_array_iterate, 0, 0,
      NGX_FAAS_COLL_MAGIC(NGX_FAAS_COLL_ITER_ARRAY, NGX_FAAS_COLL_VALUES) },
    { "keys", ngx_faas_coll_array_iterate, 0, 0,
      NGX_FAAS_COLL_MAGIC(NGX_FAAS_COLL_ITER_ARRAY, NGX_FAAS_COLL_KEYS) },
    { "entries", ngx_faas_coll_array_iterate, 0, 0,
      NGX_FAAS_COLL_MAGIC(NGX_FAAS_COLL_ITER_ARRAY, NGX_FAAS_COLL_ENTRIES) },
    { NULL, NULL, 0, 0, 0 }
};


static const char  *ngx_faas_coll_iterator_tags[] = {
    "Map Iterator", "Set Iterator", "Array Iterator", "String Iterator"
};


void
ngx_faas_collections_init(duk_context *duk)
{
    duk_idx_t  stash;

    duk_push_heap_stash(duk);
    duk_push_bare_array(duk);
    duk_dup_top(duk);
    duk_put_prop_literal(duk, -3, NGX_FAAS_COLL_KEY_STASH);
    duk_remove(duk, -2);
    stash = duk_get_top_index(duk);

    /* stack: [ ... stash ] */

    ngx_faas_coll_define_iterators(duk, stash);
    ngx_faas_coll_define_class(duk, stash, NGX_FAAS_COLL_MAP);
    ngx_faas_coll_define_class(duk, stash, NGX_FAAS_COLL_SET);
    ngx_faas_coll_define_class(duk, stash, NGX_FAAS_COLL_WEAKMAP);
    ngx_faas_coll_define_class(duk, stash, NGX_FAAS_COLL_WEAKSET);

    duk_push_uint(duk, 0);
    duk_put_prop_index(duk, stash, NGX_FAAS_COLL_S_SERIAL);

    duk_pop(duk);
}


static void
ngx_faas_coll_define_class(duk_context *duk, duk_idx_t stash,
    ngx_uint_t type)
{
    const char              *name;
    ngx_faas_builtins_fn_t   ctor;

    name = ngx_faas_coll_names[type];

    ctor.name = name;
    ctor.handler = ngx_faas_coll_constructor;
    ctor.nargs = 1;
    ctor.length = 0;
    ctor.magic = type;

    ngx_faas_builtins_push_function(duk, &ctor);
    duk_push_object(duk);

    /* stack: [ ... C C.prototype ] */

    ngx_faas_coll_define_methods(duk, -1, ngx_faas_coll_methods[type]);
    ngx_faas_coll_define_tag(duk, -1, name);

    duk_get_prop_string(duk, -1,
                        (type == NGX_FAAS_COLL_MAP
                         || type == NGX_FAAS_COLL_WEAKMAP) ? "set" : "add");
    duk_put_prop_index(duk, stash, NGX_FAAS_COLL_S_ADDER + type);

    if (type == NGX_FAAS_COLL_MAP || type == NGX_FAAS_COLL_SET) {
        ctor.name = "get size";
        ctor.handler = ngx_faas_coll_size;
        ctor.nargs = 0;

        duk_push_literal(duk, "size");
        ngx_faas_builtins_push_function(duk, &ctor);
        duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_GETTER
                              |DUK_DEFPROP_SET_CONFIGURABLE
                              |DUK_DEFPROP_CLEAR_ENUMERABLE);

        /* Map: @@iterator is entries; Set: keys and @@iterator are values */

        duk_get_prop_string(duk, -1, type == NGX_FAAS_COLL_MAP ? "entries"
                                                               : "values");
        if (type == NGX_FAAS_COLL_SET) {
            duk_push_literal(duk, "keys");
            duk_dup(duk, -2);
            duk_def_prop(duk, -4, NGX_FAAS_COLL_BUILTIN);
        }

        duk_dup_top(duk);
        duk_put_prop_index(duk, stash, NGX_FAAS_COLL_S_ITERATE + type);
        duk_push_literal(duk, NGX_FAAS_COLL_ITERATOR);
        duk_swap_top(duk, -2);
        duk_def_prop(duk, -3, NGX_FAAS_COLL_BUILTIN);
    }

    duk_push_literal(duk, "constructor");
    duk_dup(duk, -3);
    duk_def_prop(duk, -3, NGX_FAAS_COLL_BUILTIN);

    duk_push_literal(duk, "prototype");
    duk_swap_top(duk, -2);
    duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_CLEAR_WEC);

    /* stack: [ ... C ] */

    duk_push_global_object(duk);
    duk_push_string(duk, name);
    duk_dup(duk, -3);
    duk_def_prop(duk, -3, NGX_FAAS_COLL_BUILTIN);
    duk_pop_2(duk);
}


/*
 * %IteratorPrototype% (its @@iterator returns this), the prototypes of the
 * four kinds of iterators, and the iterators of arrays, typed arrays and
 * strings where Duktape has none
 */

static void
ngx_faas_coll_define_iterators(duk_context *duk, duk_idx_t stash)
{
    ngx_uint_t              what;
    ngx_faas_builtins_fn_t  m;

    m.name = "[Symbol.iterator]";
    m.handler = ngx_faas_coll_iterator_self;
    m.nargs = 0;
    m.length = 0;
    m.magic = 0;

    duk_push_object(duk);
    duk_push_literal(duk, NGX_FAAS_COLL_ITERATOR);
    ngx_faas_builtins_push_function(duk, &m);
    duk_def_prop(duk, -3, NGX_FAAS_COLL_BUILTIN);

    /* stack: [ ... %IteratorPrototype% ] */

    m.name = "next";
    m.handler = ngx_faas_coll_next;

    for (what = 0; what < 4; what++) {
        duk_push_object(duk);
        duk_dup(duk, -2);
        duk_set_prototype(duk, -2);

        m.magic = what;
        duk_push_literal(duk, "next");
        ngx_faas_builtins_push_function(duk, &m);
        duk_dup_top(duk);
        duk_put_prop_index(duk, stash, NGX_FAAS_COLL_S_NEXT + what);
        duk_def_prop(duk, -3, NGX_FAAS_COLL_BUILTIN);

        ngx_faas_coll_define_tag(duk, -1, ngx_faas_coll_iterator_tags[what]);
        duk_put_prop_index(duk, stash, NGX_FAAS_COLL_S_PROTO + what);
    }

    duk_pop(duk);

    /* Array.prototype, unless this Duktape has its own */

    duk_get_global_literal(duk, "Array");
    duk_get_prop_literal(duk, -1, "prototype");

    if (!duk_has_prop_literal(duk, -1, "values")) {
        ngx_faas_coll_define_methods(duk, -1, ngx_faas_coll_array_methods);
        duk_push_literal(duk, NGX_FAAS_COLL_ITERATOR);
        duk_get_prop_literal(duk, -2, "values");
        duk_dup_top(duk);
        duk_put_prop_index(duk, stash,
                           NGX_FAAS_COLL_S_ITERATE + NGX_FAAS_COLL_ITER_ARRAY);
        duk_def_prop(duk, -3, NGX_FAAS_COLL_BUILTIN);
    }

    duk_pop_2(duk);

    /* %TypedArray%.prototype, the prototype of Uint8Array.prototype */

    duk_get_global_literal(duk, "Uint8Array");
    duk_get_prop_literal(duk, -1, "prototype");
    duk_get_prototype(duk, -1);

    if (duk_is_object(duk, -1) && !duk_has_prop_literal(duk, -1, "values")) {
        ngx_faas_builtins_fn_t  typed[4];

        ngx_memcpy(typed, ngx_faas_coll_array_methods, sizeof(typed));

        for (what = 0; typed[what].name; what++) {
            typed[what].magic |= NGX_FAAS_COLL_TYPED;
        }

        ngx_faas_coll_define_methods(duk, -1, typed);
        duk_push_literal(duk, NGX_FAAS_COLL_ITERATOR);
        duk_get_prop_literal(duk, -2, "values");
        duk_def_prop(duk, -3, NGX_FAAS_COLL_BUILTIN);
    }

    duk_pop_3(duk);

    /* String.prototype[@@iterator]: by code point */

    duk_get_global_literal(duk, "String");
    duk_get_prop_literal(duk, -1, "prototype");

    if (!duk_has_prop_literal(duk, -1, NGX_FAAS_COLL_ITERATOR)) {
        m.name = "[Symbol.iterator]";
        m.handler = ngx_faas_coll_string_iterate;
        m.magic = NGX_FAAS_COLL_MAGIC(NGX_FAAS_COLL_ITER_STRING,
                                      NGX_FAAS_COLL_VALUES);

        duk_push_literal(duk, NGX_FAAS_COLL_ITERATOR);
        ngx_faas_builtins_push_function(duk, &m);
        duk_def_prop(duk, -3, NGX_FAAS_COLL_BUILTIN);
    }

    duk_pop_2(duk);
}


static void
ngx_faas_coll_define_methods(duk_context *duk, duk_idx_t obj,
    ngx_faas_builtins_fn_t *fn)
{
    for ( /* void */ ; fn->name; fn++) {
        ngx_faas_builtins_define(duk, obj, fn);
    }
}


static void
ngx_faas_coll_define_tag(duk_context *duk, duk_idx_t obj, const char *tag)
{
    obj = duk_normalize_index(duk, obj);

    duk_push_literal(duk, NGX_FAAS_COLL_TAG);
    duk_push_string(duk, tag);
    duk_def_prop(duk, obj, NGX_FAAS_COLL_FIXED);
}


/* new Map([iterable]), new Set(...), new WeakMap(...), new WeakSet(...) */

static duk_ret_t
ngx_faas_coll_constructor(duk_context *duk)
{
    ngx_uint_t  type;

    type = duk_get_current_magic(duk);

    if (!duk_is_constructor_call(duk)) {
        return duk_type_error(duk, "Constructor %s requires 'new'",
                              ngx_faas_coll_names[type]);
    }

    duk_push_this(duk);

    /* stack: [ iterable this ] */

    ngx_faas_coll_create(duk, 1, type);

    if (!duk_is_null_or_undefined(duk, 0)) {
        ngx_faas_coll_fill(duk, 1, 0, type);
    }

    return 0;
}


static void
ngx_faas_coll_create(duk_context *duk, duk_idx_t obj, ngx_uint_t type)
{
    double     serial;
    duk_idx_t  stash;

    obj = duk_normalize_index(duk, obj);

    ngx_faas_coll_push_empty(duk, duk_get_heapptr(duk, obj), type,
                             NGX_FAAS_COLL_MIN);

    /* stack: [ ... table ] */

    if (type == NGX_FAAS_COLL_WEAKMAP || type == NGX_FAAS_COLL_WEAKSET) {

        /*
         * a weak collection keeps each entry on its key, under a hidden
         * symbol of its own, the first slot of its table
         */

        ngx_faas_coll_push_stash(duk);
        stash = duk_get_top_index(duk);
        duk_get_prop_index(duk, stash, NGX_FAAS_COLL_S_SERIAL);
        serial = duk_get_number(duk, -1) + 1;
        duk_pop(duk);
        duk_push_number(duk, serial);
        duk_put_prop_index(duk, stash, NGX_FAAS_COLL_S_SERIAL);
        duk_pop(duk);

        duk_push_sprintf(duk, "\xff" "faasWeak%.0f", serial);
        duk_put_prop_index(duk, -2, 0);
    }

    duk_push_literal(duk, NGX_FAAS_COLL_KEY_TABLE);
    duk_swap_top(duk, -2);
    duk_def_prop(duk, obj, NGX_FAAS_COLL_HIDDEN);
}


/*
 * pushes a table: a bare array filled with undefined for "capacity"
 * entries, its index, and a "next" slot, so that nothing is allocated
 * when an entry is added or the table is retired
 */

static void
ngx_faas_coll_push_empty(duk_context *duk, void *owner, ngx_uint_t type,
    uint32_t capacity)
{
    duk_push_bare_array(duk);

    if (type == NGX_FAAS_COLL_WEAKMAP || type == NGX_FAAS_COLL_WEAKSET) {
        capacity = 0;

    } else {
        ngx_faas_coll_prefill(duk, -1, 0,
                              capacity * ngx_faas_coll_stride(type));
    }

    duk_push_literal(duk, NGX_FAAS_COLL_KEY_NEXT);
    duk_push_undefined(duk);
    duk_def_prop(duk, -3, NGX_FAAS_COLL_HIDDEN);

    ngx_faas_coll_push_index(duk, owner, type, capacity);
    duk_put_prop_literal(duk, -2, NGX_FAAS_COLL_KEY_INDEX);
}


/* [ ... ] -> [ ... index ]: empty, "capacity" slots and as many buckets */

static void
ngx_faas_coll_push_index(duk_context *duk, void *owner, ngx_uint_t type,
    uint32_t capacity)
{
    ngx_faas_coll_index_t  *ix;

    ix = duk_push_fixed_buffer(duk, sizeof(ngx_faas_coll_index_t)
                                    + capacity * sizeof(uint32_t)
                                    + capacity
                                      * sizeof(ngx_faas_coll_slot_t));

    ix->owner = owner;
    ix->type = type;
    ix->size = 0;
    ix->used = 0;
    ix->capacity = capacity;
    ix->mask = capacity - 1;
    ix->version = 0;

    ngx_memset(ngx_faas_coll_buckets(ix), 0xff, capacity * sizeof(uint32_t));
}


/*
 * the constructor's loop (23.1.1.1 steps 5-9, AddEntriesFromIterable):
 * straight over an array, a Map or a Set when nothing it would call has
 * been replaced, through the iterator protocol otherwise (IteratorClose
 * included, see ngx_faas_builtins_iterate())
 */

static void
ngx_faas_coll_fill(duk_context *duk, duk_idx_t obj, duk_idx_t iterable,
    ngx_uint_t type)
{
    duk_idx_t              adder, stash;
    ngx_faas_coll_fill_t   fill;

    duk_get_prop_string(duk, obj, (type == NGX_FAAS_COLL_MAP
                                   || type == NGX_FAAS_COLL_WEAKMAP)
                                  ? "set" : "add");

    if (!duk_is_callable(duk, -1)) {
        (void) duk_type_error(duk, "%s adder is not a function",
                              ngx_faas_coll_names[type]);
    }

    adder = duk_get_top_index(duk);

    ngx_faas_coll_push_stash(duk);
    stash = duk_get_top_index(duk);

    /* stack: [ ... adder stash ] */

    if (ngx_faas_coll_is_original(duk, adder, stash,
                                  NGX_FAAS_COLL_S_ADDER + type)
        && ngx_faas_coll_fill_fast(duk, obj, iterable, stash, type))
    {
        duk_pop_2(duk);
        return;
    }

    duk_pop(duk);

    fill.obj = obj;
    fill.adder = adder;
    fill.type = type;

    ngx_faas_builtins_iterate(duk, iterable, ngx_faas_coll_fill_step, &fill);

    duk_pop(duk);
}


static ngx_int_t
ngx_faas_coll_fill_fast(duk_context *duk, duk_idx_t obj, duk_idx_t iterable,
    duk_idx_t stash, ngx_uint_t type)
{
    uint32_t                pos;
    duk_idx_t               table;
    ngx_uint_t              what, source;
    duk_uarridx_t           i;
    ngx_faas_coll_index_t  *ix;

    if (duk_is_array(duk, iterable)) {
        what = NGX_FAAS_COLL_ITER_ARRAY;
        source = 0;

    } else if (duk_is_object(duk, iterable)) {
        duk_get_prop_literal(duk, iterable, NGX_FAAS_COLL_KEY_TABLE);
        ix = duk_is_object(duk, -1) ? ngx_faas_coll_index(duk, -1) : NULL;
        duk_pop(duk);

        if (ix == NULL || ix->owner != duk_get_heapptr(duk, iterable)
            || ix->type > NGX_FAAS_COLL_SET)
        {
            return 0;
        }

        what = ix->type;
        source = ix->type;

    } else {
        return 0;
    }

    /*
     * what the protocol would call is ours: its @@iterator, the next()
     * of its iterators, and no return() anywhere on their prototypes
     */

    duk_get_prop_literal(duk, iterable, NGX_FAAS_COLL_ITERATOR);
    duk_get_prop_index(duk, stash, NGX_FAAS_COLL_S_PROTO + what);
    duk_get_prop_literal(duk, -1, "next");

    /* stack: [ ... @@iterator proto next ] */

    if (!ngx_faas_coll_is_original(duk, -3, stash,
                                   NGX_FAAS_COLL_S_ITERATE + what)
        || !ngx_faas_coll_is_original(duk, -1, stash,
                                      NGX_FAAS_COLL_S_NEXT + what)
        || duk_has_prop_literal(duk, -2, "return"))
    {
        duk_pop_3(duk);
        return 0;
    }

    duk_pop_3(duk);

    if (what == NGX_FAAS_COLL_ITER_ARRAY) {

        /* the length is read at every step, as the array iterator does */

        for (i = 0; i < duk_get_length(duk, iterable); i++) {
            duk_get_prop_index(duk, iterable, i);
            ngx_faas_coll_add_item(duk, obj, type);
        }

        return 1;
    }

    /* a Map's entries or a Set's values, live as its iterator would be */

    duk_get_prop_literal(duk, iterable, NGX_FAAS_COLL_KEY_TABLE);
    table = duk_get_top_index(duk);

    for (pos = 0; /* void */ ; pos++) {
        ix = ngx_faas_coll_current(duk, table, &pos);

        if (!ngx_faas_coll_seek(ix, &pos)) {
            break;
        }

        ngx_faas_coll_push_entry(duk, table, pos, source,
                                 source == NGX_FAAS_COLL_MAP
                                 ? NGX_FAAS_COLL_ENTRIES
                                 : NGX_FAAS_COLL_VALUES);
        ngx_faas_coll_add_item(duk, obj, type);
    }

    duk_pop(duk);

    return 1;
}


/*
 * [ ... item ] -> [ ... result ]: adder.call(obj, item), or with item[0]
 * and item[1]; a safe call runs in its caller's frame, so the indices of
 * "fill" hold
 */

static duk_ret_t
ngx_faas_coll_fill_step(duk_context *duk, void *data)
{
    ngx_faas_coll_fill_t  *fill = data;

    duk_dup(duk, fill->adder);
    duk_dup(duk, fill->obj);
    duk_pull(duk, -3);

    /* stack: [ ... adder obj item ] */

    if (fill->type == NGX_FAAS_COLL_MAP
        || fill->type == NGX_FAAS_COLL_WEAKMAP)
    {
        if (!duk_is_object(duk, -1)) {
            return duk_type_error(duk, "iterator value %s is not an entry "
                                  "object", duk_safe_to_string(duk, -1));
        }

        duk_get_prop_index(duk, -1, 0);
        duk_get_prop_index(duk, -2, 1);
        duk_remove(duk, -3);
        duk_call_method(duk, 2);

    } else {
        duk_call_method(duk, 1);
    }

    return 1;
}


/* [ ... item ] -> [ ... ]: the original adder, without a call */

static void
ngx_faas_coll_add_item(duk_context *duk, duk_idx_t obj, ngx_uint_t type)
{
    if (type == NGX_FAAS_COLL_MAP || type == NGX_FAAS_COLL_WEAKMAP) {
        if (!duk_is_object(duk, -1)) {
            (void) duk_type_error(duk, "iterator value %s is not an entry "
                                  "object", duk_safe_to_string(duk, -1));
        }

        duk_get_prop_index(duk, -1, 0);
        duk_get_prop_index(duk, -2, 1);
        duk_remove(duk, -3);

    } else {
        duk_push_undefined(duk);
    }

    /* stack: [ ... key value ] */

    if (type == NGX_FAAS_COLL_WEAKMAP || type == NGX_FAAS_COLL_WEAKSET) {
        ngx_faas_coll_weak_put(duk, obj, type, -2, -1);

    } else {
        ngx_faas_coll_put(duk, obj, type, -2, -1);
    }

    duk_pop_2(duk);
}


static duk_ret_t
ngx_faas_coll_get(duk_context *duk)
{
    uint32_t                i;
    ngx_faas_coll_key_t     key;
    ngx_faas_coll_index_t  *ix;

    duk_push_this(duk);
    ix = ngx_faas_coll_push_table(duk, -1, NGX_FAAS_COLL_MAP);

    /* stack: [ key this table ] */

    ngx_faas_coll_key(duk, 0, &key);
    i = ngx_faas_coll_find(ix, &key, NULL);

    if (i == NGX_FAAS_COLL_NONE) {
        return 0;
    }

    duk_get_prop_index(duk, 2, 2 * i + 1);

    return 1;
}


/* Map.prototype.set(key, value) and Set.prototype.add(value) */

static duk_ret_t
ngx_faas_coll_set(duk_context *duk)
{
    ngx_uint_t  type;

    type = duk_get_current_magic(duk);

    duk_set_top(duk, 2);
    duk_push_this(duk);
    ngx_faas_coll_put(duk, 2, type, 0, 1);

    return 1;
}


static duk_ret_t
ngx_faas_coll_has(duk_context *duk)
{
    ngx_uint_t              type;
    ngx_faas_coll_key_t     key;
    ngx_faas_coll_index_t  *ix;

    type = duk_get_current_magic(duk);

    duk_push_this(duk);
    ix = ngx_faas_coll_push_table(duk, -1, type);

    ngx_faas_coll_key(duk, 0, &key);
    duk_push_boolean(duk, ngx_faas_coll_find(ix, &key, NULL)
                          != NGX_FAAS_COLL_NONE);

    return 1;
}


static duk_ret_t
ngx_faas_coll_delete(duk_context *duk)
{
    ngx_uint_t  type;

    type = duk_get_current_magic(duk);

    duk_push_this(duk);
    duk_push_boolean(duk, ngx_faas_coll_remove(duk, -1, type, 0));

    return 1;
}


/*
 * the table is replaced by an empty one and retired as cleared: an
 * iterator still on it goes on at the start of the new table
 */

static duk_ret_t
ngx_faas_coll_clear(duk_context *duk)
{
    uint32_t                version;
    ngx_uint_t              type;
    ngx_faas_coll_index_t  *ix;

    type = duk_get_current_magic(duk);

    duk_push_this(duk);

    for ( ;; ) {
        ix = ngx_faas_coll_push_table(duk, 0, type);

        if (ix->used == 0) {
            return 0;
        }

        version = ix->version;

        ngx_faas_coll_push_empty(duk, ix->owner, type, NGX_FAAS_COLL_MIN);
        ix = duk_push_fixed_buffer(duk, sizeof(ngx_faas_coll_index_t));
        ix->type = NGX_FAAS_COLL_OBSOLETE;
        ix->size = NGX_FAAS_COLL_CLEARED;

        /* stack: [ this table fresh cleared ] */

        ix = ngx_faas_coll_index(duk, 1);

        if (ix->type == type && ix->version == version) {
            break;
        }

        /* a finalizer changed it while we allocated */

        duk_set_top(duk, 1);
    }

    ngx_faas_coll_retire(duk, 0, 1, 2, 3);

    return 0;
}


static duk_ret_t
ngx_faas_coll_size(duk_context *duk)
{
    ngx_faas_coll_index_t  *ix;

    duk_push_this(duk);
    ix = ngx_faas_coll_push_table(duk, -1, duk_get_current_magic(duk));
    duk_push_uint(duk, ix->size);

    return 1;
}


/*
 * forEach(callback, thisArg): entries added during the walk are visited,
 * entries deleted before they are reached are not (23.1.3.5)
 */

static duk_ret_t
ngx_faas_coll_for_each(duk_context *duk)
{
    uint32_t                pos;
    ngx_uint_t              type;
    ngx_faas_coll_index_t  *ix;

    type = duk_get_current_magic(duk);

    duk_push_this(duk);
    (void) ngx_faas_coll_push_table(duk, 2, type);

    if (!duk_is_callable(duk, 0)) {
        return duk_type_error(duk, "%s is not a function",
                              duk_safe_to_string(duk, 0));
    }

    /* stack: [ callback thisArg this table ] */

    for (pos = 0; /* void */ ; pos++) {
        ix = ngx_faas_coll_current(duk, 3, &pos);

        if (!ngx_faas_coll_seek(ix, &pos)) {
            break;
        }

        duk_dup(duk, 0);
        duk_dup(duk, 1);

        if (type == NGX_FAAS_COLL_MAP) {
            duk_get_prop_index(duk, 3, 2 * pos + 1);
            duk_get_prop_index(duk, 3, 2 * pos);

        } else {
            duk_get_prop_index(duk, 3, pos);
            duk_dup_top(duk);
        }

        duk_dup(duk, 2);
        duk_call_method(duk, 3);
        duk_pop(duk);
    }

    return 0;
}


/* keys(), values(), entries() of a Map or a Set */

static duk_ret_t
ngx_faas_coll_iterate(duk_context *duk)
{
    duk_int_t  magic;

    magic = duk_get_current_magic(duk);

    duk_push_this(duk);
    (void) ngx_faas_coll_push_table(duk, 0, magic >> 2);

    ngx_faas_coll_push_iterator(duk, 1, magic >> 2, magic & 3);

    return 1;
}


/*
 * WeakMap.prototype.set(key, value), WeakSet.prototype.add(value).  A weak
 * collection keeps nothing itself: an entry lives on its key, in a
 * "holder" put under the collection's own hidden symbol,
 *
 *     [ home, key, present, value, key, present, value, ... ]
 *
 * where "home" and each "key" are heap pointers, which keep nothing alive:
 * the key dies with its holder.  The pointer of the entry tells a key's
 * entry from one of an object it inherits from.  There is one entry but
 * for a Proxy: Duktape reads a hidden key of a Proxy from its target, so
 * the entries of Proxies go into their target's holder.
 */

static duk_ret_t
ngx_faas_coll_weak_set(duk_context *duk)
{
    duk_set_top(duk, 2);
    duk_push_this(duk);

    ngx_faas_coll_weak_put(duk, 2, duk_get_current_magic(duk), 0, 1);

    return 1;
}


static duk_ret_t
ngx_faas_coll_weak_get(duk_context *duk)
{
    duk_uarridx_t  i;

    duk_push_this(duk);

    i = ngx_faas_coll_weak_holder(duk, 1, NGX_FAAS_COLL_WEAKMAP, 0);

    if (i == 0) {
        return 0;
    }

    duk_get_prop_index(duk, -1, i + 2);

    return 1;
}


static duk_ret_t
ngx_faas_coll_weak_has(duk_context *duk)
{
    duk_uarridx_t  i;

    duk_push_this(duk);

    i = ngx_faas_coll_weak_holder(duk, 1, duk_get_current_magic(duk), 0);
    duk_push_boolean(duk, i != 0);

    return 1;
}


static duk_ret_t
ngx_faas_coll_weak_delete(duk_context *duk)
{
    duk_uarridx_t  i;

    duk_push_this(duk);

    i = ngx_faas_coll_weak_holder(duk, 1, duk_get_current_magic(duk), 0);

    if (i == 0) {
        duk_push_false(duk);
        return 1;
    }

    duk_push_false(duk);
    duk_put_prop_index(duk, -2, i + 1);
    duk_push_undefined(duk);
    duk_put_prop_index(duk, -2, i + 2);

    duk_push_true(duk);

    return 1;
}


/* Array.prototype.values/keys/entries and %TypedArray%.prototype's */

static duk_ret_t
ngx_faas_coll_array_iterate(duk_context *duk)
{
    duk_int_t  magic;

    magic = duk_get_current_magic(duk);

    duk_push_this(duk);

    if ((magic & NGX_FAAS_COLL_TYPED) && !duk_is_buffer_data(duk, 0)) {
        return duk_type_error(duk, "this is not a typed array");
    }

    (void) duk_to_object(duk, 0);

    ngx_faas_coll_push_iterator(duk, 0, NGX_FAAS_COLL_ITER_ARRAY, magic & 3);

    return 1;
}


static duk_ret_t
ngx_faas_coll_string_iterate(duk_context *duk)
{
    duk_push_this(duk);

    if (duk_is_null_or_undefined(duk, 0)) {
        return duk_type_error(duk, "String.prototype[Symbol.iterator] "
                              "called on null or undefined");
    }

    (void) duk_to_string(duk, 0);

    ngx_faas_coll_push_iterator(duk, 0, NGX_FAAS_COLL_ITER_STRING,
                                NGX_FAAS_COLL_VALUES);

    return 1;
}


/* next() of every kind of iterator; the magic is what it walks */

static duk_ret_t
ngx_faas_coll_next(duk_context *duk)
{
    ngx_int_t              rc;
    ngx_uint_t             what;
    ngx_faas_coll_iter_t  *it;

    what = duk_get_current_magic(duk);

    duk_push_this(duk);

    it = NULL;

    if (duk_is_object(duk, 0)) {
        duk_get_prop_literal(duk, 0, NGX_FAAS_COLL_KEY_STATE);
        it = duk_get_buffer(duk, -1, NULL);
        duk_pop(duk);
    }

    if (it == NULL || it->self != duk_get_heapptr(duk, 0) || it->what != what)
    {
        return duk_type_error(duk, "next method called on incompatible "
                              "receiver, not a %s",
                              ngx_faas_coll_iterator_tags[what]);
    }

    duk_get_prop_literal(duk, 0, NGX_FAAS_COLL_KEY_TARGET);

    /* stack: [ this target ] */

    if (duk_is_undefined(duk, 1)) {
        rc = 0;

    } else if (what == NGX_FAAS_COLL_ITER_ARRAY) {
        rc = ngx_faas_coll_next_array(duk, it, 1);

    } else if (what == NGX_FAAS_COLL_ITER_STRING) {
        rc = ngx_faas_coll_next_string(duk, it, 1);

    } else {
        rc = ngx_faas_coll_next_table(duk, it, 1);
    }

    /* stack: [ this target value ] or, when done, [ this target ] */

    if (rc == 0) {
        duk_push_literal(duk, NGX_FAAS_COLL_KEY_TARGET);
        duk_push_undefined(duk);
        duk_def_prop(duk, 0, NGX_FAAS_COLL_HIDDEN);
        duk_push_undefined(duk);
    }

    duk_push_object(duk);
    duk_swap_top(duk, -2);
    duk_put_prop_literal(duk, -2, "value");
    duk_push_boolean(duk, rc == 0);
    duk_put_prop_literal(duk, -2, "done");

    return 1;
}


static ngx_int_t
ngx_faas_coll_next_table(duk_context *duk, ngx_faas_coll_iter_t *it,
    duk_idx_t target)
{
    void                   *table;
    uint32_t                pos;
    ngx_faas_coll_index_t  *ix;

    pos = (uint32_t) it->pos;
    table = duk_get_heapptr(duk, target);

    ix = ngx_faas_coll_current(duk, target, &pos);

    if (!ngx_faas_coll_seek(ix, &pos)) {
        return 0;
    }

    it->pos = pos + 1;

    ngx_faas_coll_push_entry(duk, target, pos, it->what, it->kind);

    if (table != duk_get_heapptr(duk, target)) {

        /* the iterator lets go of a retired table */

        duk_push_literal(duk, NGX_FAAS_COLL_KEY_TARGET);
        duk_dup(duk, target);
        duk_def_prop(duk, 0, NGX_FAAS_COLL_HIDDEN);
    }

    return 1;
}


/* %ArrayIteratorPrototype%.next(): the length is read at every step */

static ngx_int_t
ngx_faas_coll_next_array(duk_context *duk, ngx_faas_coll_iter_t *it,
    duk_idx_t target)
{
    double  pos, len;

    pos = it->pos;

    if (duk_is_array(duk, target) || duk_is_buffer_data(duk, target)) {
        len = duk_get_length(duk, target);

    } else {
        duk_get_prop_literal(duk, target, "length");
        len = duk_to_number(duk, -1);
        duk_pop(duk);

        /* ToLength() */

        len = (len != len || len <= 0) ? 0 : floor(len);

        if (len > 9007199254740991.0) {
            len = 9007199254740991.0;
        }
    }

    if (pos >= len) {
        return 0;
    }

    it->pos = pos + 1;

    if (it->kind != NGX_FAAS_COLL_KEYS) {
        if (pos < 0xffffffff) {
            duk_get_prop_index(duk, target, (duk_uarridx_t) pos);

        } else {
            duk_push_number(duk, pos);
            duk_get_prop(duk, target);
        }
    }

    if (it->kind == NGX_FAAS_COLL_VALUES) {
        return 1;
    }

    duk_push_number(duk, pos);

    if (it->kind == NGX_FAAS_COLL_ENTRIES) {
        duk_push_array(duk);
        duk_swap_top(duk, -2);
        duk_put_prop_index(duk, -2, 0);
        duk_swap_top(duk, -2);
        duk_put_prop_index(duk, -2, 1);
    }

    return 1;
}


/* %StringIteratorPrototype%.next(): a code point, a pair of surrogates */

static ngx_int_t
ngx_faas_coll_next_string(duk_context *duk, ngx_faas_coll_iter_t *it,
    duk_idx_t target)
{
    size_t           pos, len, n;
    duk_codepoint_t  c;

    pos = (size_t) it->pos;
    len = duk_get_length(duk, target);

    if (pos >= len) {
        return 0;
    }

    n = 1;
    c = duk_char_code_at(duk, target, pos);

    if (c >= 0xd800 && c <= 0xdbff && pos + 1 < len) {
        c = duk_char_code_at(duk, target, pos + 1);

        if (c >= 0xdc00 && c <= 0xdfff) {
            n = 2;
        }
    }

    it->pos = pos + n;

    duk_dup(duk, target);
    duk_substring(duk, -1, pos, pos + n);

    return 1;
}


static duk_ret_t
ngx_faas_coll_iterator_self(duk_context *duk)
{
    duk_push_this(duk);

    return 1;
}


/* [ ... ] -> [ ... iterator ]: an iterator over "target" */

static void
ngx_faas_coll_push_iterator(duk_context *duk, duk_idx_t target,
    ngx_uint_t what, ngx_uint_t kind)
{
    ngx_faas_coll_iter_t  *it;

    target = duk_normalize_index(duk, target);

    duk_push_object(duk);
    ngx_faas_coll_push_stash(duk);
    duk_get_prop_index(duk, -1, NGX_FAAS_COLL_S_PROTO + what);
    duk_remove(duk, -2);
    duk_set_prototype(duk, -2);

    duk_dup(duk, target);
    duk_put_prop_literal(duk, -2, NGX_FAAS_COLL_KEY_TARGET);

    it = duk_push_fixed_buffer(duk, sizeof(ngx_faas_coll_iter_t));
    it->self = duk_get_heapptr(duk, -2);
    it->what = what;
    it->kind = kind;
    it->pos = 0;

    duk_put_prop_literal(duk, -2, NGX_FAAS_COLL_KEY_STATE);
}


/* [ ... ] -> [ ... key | value | [ key, value ] ] of entry "pos" */

static void
ngx_faas_coll_push_entry(duk_context *duk, duk_idx_t table, uint32_t pos,
    ngx_uint_t type, ngx_uint_t kind)
{
    if (type == NGX_FAAS_COLL_SET) {
        duk_get_prop_index(duk, table, pos);

        if (kind == NGX_FAAS_COLL_ENTRIES) {
            duk_push_array(duk);
            duk_dup(duk, -2);
            duk_put_prop_index(duk, -2, 0);
            duk_swap_top(duk, -2);
            duk_put_prop_index(duk, -2, 1);
        }

        return;
    }

    switch (kind) {

    case NGX_FAAS_COLL_KEYS:
        duk_get_prop_index(duk, table, 2 * pos);
        break;

    case NGX_FAAS_COLL_VALUES:
        duk_get_prop_index(duk, table, 2 * pos + 1);
        break;

    default: /* NGX_FAAS_COLL_ENTRIES */

        /* read before the array is allocated, which may run a finalizer */

        duk_get_prop_index(duk, table, 2 * pos);
        duk_get_prop_index(duk, table, 2 * pos + 1);
        duk_push_array(duk);
        duk_pull(duk, -3);
        duk_put_prop_index(duk, -2, 0);
        duk_swap_top(duk, -2);
        duk_put_prop_index(duk, -2, 1);
    }
}


/*
 * [ ... ] -> [ ... table ]: the table of "obj", which must be a collection
 * of "type" with it as an own slot (not one inherited from a prototype)
 */

static ngx_faas_coll_index_t *
ngx_faas_coll_push_table(duk_context *duk, duk_idx_t obj, ngx_uint_t type)
{
    ngx_faas_coll_index_t  *ix;

    obj = duk_normalize_index(duk, obj);

    ix = NULL;

    if (duk_is_object(duk, obj)) {
        duk_get_prop_literal(duk, obj, NGX_FAAS_COLL_KEY_TABLE);

        if (duk_is_object(duk, -1)) {
            ix = ngx_faas_coll_index(duk, -1);
        }

    } else {
        duk_push_undefined(duk);
    }

    if (ix == NULL || ix->type != type
        || ix->owner != duk_get_heapptr(duk, obj))
    {
        (void) duk_type_error(duk, "method of %s called on incompatible "
                              "receiver %s", ngx_faas_coll_names[type],
                              duk_safe_to_string(duk, obj));
    }

    return ix;
}


/* the index of a table: the table keeps it alive, and in place */

static ngx_faas_coll_index_t *
ngx_faas_coll_index(duk_context *duk, duk_idx_t table)
{
    ngx_faas_coll_index_t  *ix;

    duk_get_prop_literal(duk, table, NGX_FAAS_COLL_KEY_INDEX);
    ix = duk_get_buffer(duk, -1, NULL);
    duk_pop(duk);

    return ix;
}


/*
 * follows retired tables to the live one, replacing "table" on the stack,
 * and moves "pos" down by the entries removed below it
 */

static ngx_faas_coll_index_t *
ngx_faas_coll_current(duk_context *duk, duk_idx_t table, uint32_t *pos)
{
    uint32_t                *removed, lo, hi, mid;
    ngx_faas_coll_index_t  *ix;

    for ( ;; ) {
        ix = ngx_faas_coll_index(duk, table);

        if (ix->type != NGX_FAAS_COLL_OBSOLETE) {
            return ix;
        }

        if (ix->size == NGX_FAAS_COLL_CLEARED) {
            *pos = 0;

        } else {
            removed = (uint32_t *) (ix + 1);

            /* the count of removed positions below *pos */

            lo = 0;
            hi = ix->size;

            while (lo < hi) {
                mid = lo + (hi - lo) / 2;

                if (removed[mid] < *pos) {
                    lo = mid + 1;

                } else {
                    hi = mid;
                }
            }

            *pos -= lo;
        }

        duk_get_prop_literal(duk, table, NGX_FAAS_COLL_KEY_NEXT);
        duk_replace(duk, table);
    }
}


/* the first live entry at or after *pos */

static ngx_int_t
ngx_faas_coll_seek(ngx_faas_coll_index_t *ix, uint32_t *pos)
{
    uint32_t               i;
    ngx_faas_coll_slot_t  *slot;

    slot = ngx_faas_coll_slots(ix);

    for (i = *pos; i < ix->used; i++) {
        if (slot[i].kind != NGX_FAAS_COLL_EMPTY) {
            *pos = i;
            return 1;
        }
    }

    return 0;
}


/* SameValueZero: what a key is compared by */

static void
ngx_faas_coll_key(duk_context *duk, duk_idx_t idx, ngx_faas_coll_key_t *key)
{
    double    d;
    uint64_t  h;

    key->payload = 0;

    switch (duk_get_type(duk, idx)) {

    case DUK_TYPE_NULL:
        key->kind = NGX_FAAS_COLL_NULL;
        break;

    case DUK_TYPE_BOOLEAN:
        key->kind = NGX_FAAS_COLL_BOOLEAN;
        key->payload = duk_get_boolean(duk, idx);
        break;

    case DUK_TYPE_NUMBER:
        key->kind = NGX_FAAS_COLL_NUMBER;
        d = duk_get_number(duk, idx);

        if (d != d) {
            key->payload = 0x7ff8000000000000ULL;

        } else if (d != 0) {
            ngx_memcpy(&key->payload, &d, sizeof(double));
        }

        break;

    case DUK_TYPE_STRING:
    case DUK_TYPE_OBJECT:
    case DUK_TYPE_BUFFER:
        key->kind = NGX_FAAS_COLL_HEAP;
        key->payload = (uintptr_t) duk_get_heapptr(duk, idx);
        break;

    case DUK_TYPE_POINTER:
        key->kind = NGX_FAAS_COLL_POINTER;
        key->payload = (uintptr_t) duk_get_pointer(duk, idx);
        break;

    case DUK_TYPE_LIGHTFUNC:

        /* the function and its magic; Duktape also compares the length */

        key->kind = NGX_FAAS_COLL_LIGHTFUNC
                    | (duk_get_magic(duk, idx) & 0xff) << 8;
        key->payload = (uintptr_t) duk_get_c_function(duk, idx);
        break;

    default: /* DUK_TYPE_UNDEFINED */
        key->kind = NGX_FAAS_COLL_UNDEFINED;
    }

    /*
     * keyed per heap: a multiplicative hash let the numbers of a crafted
     * body fill one bucket of a new Set(ctx.body), a loop in C
     */

    h = key->payload ^ key->kind;

    key->hash = ngx_faas_vm_hash_word(duk, h);
}


/* the entry of "key", and the link that points to it in its chain */

static uint32_t
ngx_faas_coll_find(ngx_faas_coll_index_t *ix, ngx_faas_coll_key_t *key,
    uint32_t **link)
{
    uint32_t              *p, i;
    ngx_faas_coll_slot_t  *slot;

    slot = ngx_faas_coll_slots(ix);
    p = &ngx_faas_coll_buckets(ix)[key->hash & ix->mask];

    for (i = *p; i != NGX_FAAS_COLL_NONE; i = *p) {
        if (slot[i].payload == key->payload && slot[i].kind == key->kind) {
            break;
        }

        p = &slot[i].next;
    }

    if (link) {
        *link = p;
    }

    return i;
}


/* [ ... obj ... ]: obj.set(k, v) or obj.add(k) */

static void
ngx_faas_coll_put(duk_context *duk, duk_idx_t obj, ngx_uint_t type,
    duk_idx_t k, duk_idx_t v)
{
    uint32_t                i, stride;
    duk_idx_t               table;
    ngx_faas_coll_key_t     key;
    ngx_faas_coll_slot_t   *slot;
    ngx_faas_coll_index_t  *ix;

    obj = duk_normalize_index(duk, obj);
    k = duk_normalize_index(duk, k);
    v = duk_normalize_index(duk, v);
    stride = ngx_faas_coll_stride(type);

    ngx_faas_coll_key(duk, k, &key);

    for ( ;; ) {
        ix = ngx_faas_coll_push_table(duk, obj, type);
        table = duk_get_top_index(duk);

        i = ngx_faas_coll_find(ix, &key, NULL);

        if (i != NGX_FAAS_COLL_NONE) {
            if (stride == 2) {
                duk_dup(duk, v);
                duk_put_prop_index(duk, table, 2 * i + 1);
            }

            duk_pop(duk);
            return;
        }

        if (ix->used < ix->capacity) {
            break;
        }

        /* full: twice as large, or as large without the deleted entries */

        ngx_faas_coll_rebuild(duk, obj, table, type,
                              ix->size >= ix->capacity / 2
                              ? ix->capacity * 2 : ix->capacity);
        duk_pop(duk);
    }

    /*
     * the slots exist and hold undefined: these writes neither allocate
     * nor release anything, so "ix" stays valid
     */

    i = ix->used;

    if (key.kind == NGX_FAAS_COLL_NUMBER && key.payload == 0) {
        duk_push_int(duk, 0);                           /* -0 becomes +0 */

    } else {
        duk_dup(duk, k);
    }

    duk_put_prop_index(duk, table, stride * i);

    if (stride == 2) {
        duk_dup(duk, v);
        duk_put_prop_index(duk, table, 2 * i + 1);
    }

    slot = &ngx_faas_coll_slots(ix)[i];
    slot->payload = key.payload;
    slot->kind = key.kind;

    ngx_faas_coll_link(duk, ix, i);

    ix->used++;
    ix->size++;
    ix->version++;

    duk_pop(duk);
}


static ngx_int_t
ngx_faas_coll_remove(duk_context *duk, duk_idx_t obj, ngx_uint_t type,
    duk_idx_t k)
{
    uint32_t               *link, i, stride, capacity;
    duk_idx_t               table;
    ngx_faas_coll_key_t     key;
    ngx_faas_coll_slot_t   *slot;
    ngx_faas_coll_index_t  *ix;

    obj = duk_normalize_index(duk, obj);
    stride = ngx_faas_coll_stride(type);

    ix = ngx_faas_coll_push_table(duk, obj, type);
    table = duk_get_top_index(duk);

    ngx_faas_coll_key(duk, k, &key);
    i = ngx_faas_coll_find(ix, &key, &link);

    if (i == NGX_FAAS_COLL_NONE) {
        duk_pop(duk);
        return 0;
    }

    slot = ngx_faas_coll_slots(ix);
    *link = slot[i].next;
    slot[i].kind = NGX_FAAS_COLL_EMPTY;

    ix->size--;
    ix->version++;

    capacity = (ix->size < ix->capacity / 4
                && ix->capacity > NGX_FAAS_COLL_MIN)
               ? ix->capacity / 2 : 0;

    /* releasing the values may run a finalizer: "ix" is not used after */

    duk_push_undefined(duk);
    duk_put_prop_index(duk, table, stride * i);

    if (stride == 2) {
        duk_push_undefined(duk);
        duk_put_prop_index(duk, table, 2 * i + 1);
    }

    if (capacity) {
        duk_pop(duk);
        ix = ngx_faas_coll_push_table(duk, obj, type);

        if (ix->size < ix->capacity / 4 && ix->capacity > NGX_FAAS_COLL_MIN) {
            ngx_faas_coll_rebuild(duk, obj, -1, type, ix->capacity / 2);
        }
    }

    duk_pop(duk);

    return 1;
}


/*
 * a new index of "capacity" slots; the same table when nothing was
 * deleted (no position moves), a new one and the old retired otherwise.
 * It gives up, leaving everything as it was, when a finalizer run by one
 * of its allocations changed the collection: the caller looks again.
 */

static void
ngx_faas_coll_rebuild(duk_context *duk, duk_idx_t obj, duk_idx_t table,
    ngx_uint_t type, uint32_t capacity)
{
    void                   *owner;
    uint32_t                i, j, n, live, stride, version, old, *removed;
    duk_idx_t               top;
    ngx_faas_coll_slot_t   *from, *to;
    ngx_faas_coll_index_t  *ix, *fresh;

    obj = duk_normalize_index(duk, obj);
    table = duk_normalize_index(duk, table);
    top = duk_get_top(duk);
    stride = ngx_faas_coll_stride(type);

    if (capacity > NGX_FAAS_COLL_MAX) {
        (void) duk_range_error(duk, "%s too large", ngx_faas_coll_names[type]);
    }

    /* what is needed after the allocations, while "ix" is sure */

    ix = ngx_faas_coll_index(duk, table);
    owner = ix->owner;
    version = ix->version;
    old = ix->capacity;
    n = ix->used;
    live = ix->size;

    if (live == n) {

        /* nothing deleted: the same table, a larger (or smaller) index */

        ngx_faas_coll_prefill(duk, table, old * stride, capacity * stride);
        ngx_faas_coll_push_index(duk, owner, type, capacity);

        ix = ngx_faas_coll_index(duk, table);

        if (ix->type == type && ix->version == version) {
            fresh = duk_get_buffer(duk, -1, NULL);
            ngx_memcpy(ngx_faas_coll_slots(fresh), ngx_faas_coll_slots(ix),
                       n * sizeof(ngx_faas_coll_slot_t));

            for (i = 0; i < n; i++) {
                ngx_faas_coll_link(duk, fresh, i);
            }

            fresh->used = n;
            fresh->size = n;
            fresh->version = version + 1;

            duk_put_prop_literal(duk, table, NGX_FAAS_COLL_KEY_INDEX);

            if (capacity < old) {
                duk_push_uint(duk, capacity * stride);
                duk_put_prop_literal(duk, table, "length");
            }
        }

        duk_set_top(duk, top);
        return;
    }

    ngx_faas_coll_push_empty(duk, owner, type, capacity);
    removed = duk_push_fixed_buffer(duk, sizeof(ngx_faas_coll_index_t)
                                         + (n - live) * sizeof(uint32_t));

    /* stack: [ ... fresh-table removed ] */

    ix = ngx_faas_coll_index(duk, table);

    if (ix->type != type || ix->version != version) {
        duk_set_top(duk, top);
        return;
    }

    fresh = ngx_faas_coll_index(duk, top);
    from = ngx_faas_coll_slots(ix);
    to = ngx_faas_coll_slots(fresh);

    ((ngx_faas_coll_index_t *) removed)->type = NGX_FAAS_COLL_OBSOLETE;
    ((ngx_faas_coll_index_t *) removed)->size = n - live;
    removed = (uint32_t *) ((ngx_faas_coll_index_t *) removed + 1);

    /*
     * copying values between slots that exist: nothing is allocated, and
     * what is popped is still held by the old table
     */

    for (i = 0, j = 0; i < n; i++) {

        if (from[i].kind == NGX_FAAS_COLL_EMPTY) {
            *removed++ = i;
            continue;
        }

        duk_get_prop_index(duk, table, stride * i);
        duk_put_prop_index(duk, top, stride * j);

        if (stride == 2) {
            duk_get_prop_index(duk, table, 2 * i + 1);
            duk_put_prop_index(duk, top, 2 * j + 1);
        }

        to[j] = from[i];
        ngx_faas_coll_link(duk, fresh, j);
        j++;
    }

    fresh->used = j;
    fresh->size = j;
    fresh->version = version + 1;

    ngx_faas_coll_retire(duk, obj, table, top, top + 1);

    duk_set_top(duk, top);
}


/* undefined in table[from .. to - 1] */

static void
ngx_faas_coll_prefill(duk_context *duk, duk_idx_t table, uint32_t from,
    uint32_t to)
{
    table = duk_normalize_index(duk, table);

    for ( /* void */ ; from < to; from++) {
        duk_push_undefined(duk);
        duk_put_prop_index(duk, table, from);
    }
}


static void
ngx_faas_coll_link(duk_context *duk, ngx_faas_coll_index_t *ix, uint32_t i)
{
    uint32_t               *bucket, hash;
    ngx_faas_coll_slot_t   *slot;

    slot = &ngx_faas_coll_slots(ix)[i];

    /* as ngx_faas_coll_key() hashes */

    hash = ngx_faas_vm_hash_word(duk, slot->payload ^ slot->kind);

    bucket = &ngx_faas_coll_buckets(ix)[hash & ix->mask];

    slot->next = *bucket;
    *bucket = i;
}


/*
 * "fresh" becomes the table of "obj"; "table" keeps the positions
 * "removed" and a link to it.  Each write replaces a value already there,
 * in an order that leaves everything consistent if a finalizer runs when
 * the last one releases the old index and the old values.
 */

static void
ngx_faas_coll_retire(duk_context *duk, duk_idx_t obj, duk_idx_t table,
    duk_idx_t fresh, duk_idx_t removed)
{
    duk_push_literal(duk, NGX_FAAS_COLL_KEY_NEXT);
    duk_dup(duk, fresh);
    duk_def_prop(duk, table, NGX_FAAS_COLL_HIDDEN);

    duk_push_literal(duk, NGX_FAAS_COLL_KEY_TABLE);
    duk_dup(duk, fresh);
    duk_def_prop(duk, obj, NGX_FAAS_COLL_HIDDEN);

    duk_dup(duk, removed);
    duk_put_prop_literal(duk, table, NGX_FAAS_COLL_KEY_INDEX);

    duk_push_uint(duk, 0);
    duk_put_prop_literal(duk, table, "length");
}


static void
ngx_faas_coll_weak_put(duk_context *duk, duk_idx_t obj, ngx_uint_t type,
    duk_idx_t k, duk_idx_t v)
{
    void           *key;
    duk_idx_t       top, holder;
    duk_uarridx_t   i;

    obj = duk_normalize_index(duk, obj);
    k = duk_normalize_index(duk, k);
    v = duk_normalize_index(duk, v);
    top = duk_get_top(duk);

    i = ngx_faas_coll_weak_entry(duk, obj, type, k);

    /* stack: [ ... symbol holder ] */

    holder = top + 1;

    if (i == 0) {
        if (!duk_is_object(duk, k)) {
            (void) duk_type_error(duk, "invalid value used %s",
                                  type == NGX_FAAS_COLL_WEAKMAP
                                  ? "as weak map key" : "in weak set");
        }

        key = duk_get_heapptr(duk, k);

        if (!ngx_faas_coll_weak_home(duk, holder, key)) {
            holder = ngx_faas_coll_weak_new(duk, top, k);
        }

        i = duk_get_length(duk, holder);

        duk_push_pointer(duk, key);
        duk_put_prop_index(duk, holder, i);
    }

    duk_push_true(duk);
    duk_put_prop_index(duk, holder, i + 1);
    duk_dup(duk, v);
    duk_put_prop_index(duk, holder, i + 2);

    duk_set_top(duk, top);
}


/* whether "holder" is the own holder of "key" */

static ngx_int_t
ngx_faas_coll_weak_home(duk_context *duk, duk_idx_t holder, void *key)
{
    void  *home;

    if (!duk_is_object(duk, holder)) {
        return 0;
    }

    duk_get_prop_index(duk, holder, 0);
    home = duk_get_pointer(duk, -1);
    duk_pop(duk);

    return home == key;
}


/*
 * [ ... symbol holder ] -> [ ... symbol holder fresh ]: a new holder put
 * on "k", or, when "k" is a Proxy, the holder of its target
 */

static duk_idx_t
ngx_faas_coll_weak_new(duk_context *duk, duk_idx_t top, duk_idx_t k)
{
    void           *home;
    duk_uarridx_t   i, n;

    duk_push_bare_array(duk);
    duk_push_pointer(duk, duk_get_heapptr(duk, k));
    duk_put_prop_index(duk, -2, 0);

    /*
     * an inherited holder is left alone, but the one a Proxy put on its
     * target ("home" unknown) may be the target's own: its entries come
     * along rather than be lost
     */

    if (duk_is_object(duk, top + 1)) {
        duk_get_prop_index(duk, top + 1, 0);
        home = duk_get_pointer(duk, -1);
        duk_pop(duk);

        if (home == NULL) {
            n = duk_get_length(duk, top + 1);

            for (i = 1; i < n; i++) {
                duk_get_prop_index(duk, top + 1, i);
                duk_put_prop_index(duk, -2, i);
            }
        }
    }

    /* stack: [ ... symbol holder fresh ] */

    duk_dup(duk, top);
    duk_dup(duk, -2);
    duk_def_prop(duk, k, NGX_FAAS_COLL_HIDDEN);

    duk_dup(duk, top);
    duk_get_prop(duk, k);

    if (duk_get_heapptr(duk, -1) == duk_get_heapptr(duk, -2)) {
        duk_pop(duk);
        return top + 2;
    }

    /* a Proxy: what its target holds, or a new holder put there */

    if (duk_is_object(duk, -1)) {
        duk_replace(duk, -2);
        return top + 2;
    }

    duk_pop(duk);

    duk_push_null(duk);
    duk_put_prop_index(duk, -2, 0);

    duk_dup(duk, top);
    duk_dup(duk, -2);
    duk_put_prop(duk, k);

    return top + 2;
}


/*
 * [ ... ] -> [ ... symbol holder ]: the holder "key" reads under the
 * symbol of the weak collection "obj" (undefined if none), and the
 * position of the entry of "key" in it, 0 if it has none
 */

static duk_uarridx_t
ngx_faas_coll_weak_entry(duk_context *duk, duk_idx_t obj, ngx_uint_t type,
    duk_idx_t key)
{
    void           *p;
    duk_uarridx_t   i, n;

    obj = duk_normalize_index(duk, obj);
    key = duk_normalize_index(duk, key);

    (void) ngx_faas_coll_push_table(duk, obj, type);
    duk_get_prop_index(duk, -1, 0);
    duk_remove(duk, -2);

    if (!duk_is_object(duk, key)) {
        duk_push_undefined(duk);
        return 0;
    }

    duk_dup_top(duk);
    duk_get_prop(duk, key);

    if (!duk_is_object(duk, -1)) {
        return 0;
    }

    p = duk_get_heapptr(duk, key);
    n = duk_get_length(duk, -1);

    for (i = 1; i < n; i += 3) {
        duk_get_prop_index(duk, -1, i);

        if (duk_get_pointer(duk, -1) == p) {
            duk_pop(duk);
            return i;
        }

        duk_pop(duk);
    }

    return 0;
}


/*
 * [ ... ] -> [ ... symbol holder ]: the position of the present entry of
 * "key" in the weak collection "obj", 0 if there is none
 */

static duk_uarridx_t
ngx_faas_coll_weak_holder(duk_context *duk, duk_idx_t obj, ngx_uint_t type,
    duk_idx_t key)
{
    duk_uarridx_t  i;

    i = ngx_faas_coll_weak_entry(duk, obj, type, key);

    if (i == 0) {
        return 0;
    }

    duk_get_prop_index(duk, -1, i + 1);

    if (!duk_get_boolean(duk, -1)) {
        i = 0;
    }

    duk_pop(duk);

    return i;
}


static void
ngx_faas_coll_push_stash(duk_context *duk)
{
    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_COLL_KEY_STASH);
    duk_remove(duk, -2);
}


static ngx_int_t
ngx_faas_coll_is_original(duk_context *duk, duk_idx_t value,
    duk_idx_t stash, duk_uarridx_t slot)
{
    void  *p;

    value = duk_normalize_index(duk, value);

    duk_get_prop_index(duk, stash, slot);
    p = duk_get_heapptr(duk, -1);
    duk_pop(duk);

    return p != NULL && p == duk_get_heapptr(duk, value);
}
