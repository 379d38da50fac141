
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_zone.h"


/* expired items at the cold end of the queue freed by each set() */
#define NGX_FAAS_ZONE_EXPIRE      3


/* the zone's own memory: one of these, then the items */
typedef struct {
    ngx_rbtree_t               rbtree;
    ngx_rbtree_node_t          sentinel;
    ngx_queue_t                lru;       /* most recently used first */
    ngx_uint_t                 items;
    ngx_uint_t                 evictions;
    ngx_uint_t                 expired;
} ngx_faas_zone_sh_t;


/* an item: rbtree node keyed by the key's crc32, the key, the value */
typedef struct {
    ngx_rbtree_node_t          node;
    ngx_queue_t                queue;
    uint64_t                   expires;   /* ms, monotonic; 0: never */
    double                     number;
    uint32_t                   key_len;
    uint32_t                   len;
    u_char                     type;
    u_char                     data[1];   /* key, then the BSON bytes */
} ngx_faas_zone_node_t;


struct ngx_faas_zone_s {
    ngx_str_t                  name;
    size_t                     size;
    ngx_shm_zone_t            *shm_zone;
    ngx_faas_zone_sh_t        *sh;
    ngx_slab_pool_t           *pool;
};


static ngx_int_t ngx_faas_zone_init(ngx_shm_zone_t *shm_zone, void *data);
static void ngx_faas_zone_insert_value(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);
static ngx_faas_zone_node_t *ngx_faas_zone_lookup(ngx_faas_zone_t *zone,
    ngx_str_t *key, uint32_t hash, uint64_t now);
static ngx_int_t ngx_faas_zone_insert(ngx_faas_zone_t *zone, ngx_str_t *key,
    uint32_t hash, ngx_faas_zone_value_t *value, ngx_msec_t ttl,
    uint64_t now);
static ngx_faas_zone_node_t *ngx_faas_zone_alloc(ngx_faas_zone_t *zone,
    size_t size, uint64_t now);
static void ngx_faas_zone_expire(ngx_faas_zone_t *zone, uint64_t now);
static void ngx_faas_zone_free(ngx_faas_zone_t *zone,
    ngx_faas_zone_node_t *fn);
static uint64_t ngx_faas_zone_expires(ngx_msec_t ttl, uint64_t now);


/* the zones of this worker's cycle, set by ngx_faas_zone_use() */
static ngx_array_t  *ngx_faas_zones;


/*
 * the nginx zone is named "faas_shared:NAME" so that it meets no other
 * module's zone; the same name, size and tag in the next cycle reuse it
 * (and its items) across a reload
 */

ngx_faas_zone_t *
ngx_faas_zone_add(ngx_conf_t *cf, ngx_str_t *name, size_t size)
{
    ngx_str_t         shm_name;
    ngx_faas_zone_t  *zone;

    zone = ngx_pcalloc(cf->pool, sizeof(ngx_faas_zone_t));
    if (zone == NULL) {
        return NULL;
    }

    shm_name.len = sizeof("faas_shared:") - 1 + name->len;
    shm_name.data = ngx_pnalloc(cf->pool, shm_name.len);
    if (shm_name.data == NULL) {
        return NULL;
    }

    ngx_memcpy(ngx_cpymem(shm_name.data, "faas_shared:",
                          sizeof("faas_shared:") - 1),
               name->data, name->len);

    zone->shm_zone = ngx_shared_memory_add(cf, &shm_name, size,
                                           &ngx_faas_module);
    if (zone->shm_zone == NULL) {
        return NULL;
    }

    if (zone->shm_zone->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "duplicate zone \"%V\"", name);
        return NULL;
    }

    zone->name = *name;
    zone->size = size;
    zone->shm_zone->init = ngx_faas_zone_init;
    zone->shm_zone->data = zone;

    return zone;
}


static ngx_int_t
ngx_faas_zone_init(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_faas_zone_t  *ozone = data;

    size_t            len;
    ngx_faas_zone_t  *zone;

    zone = shm_zone->data;

    /* a reload: the items of the old cycle's zone are kept */

    if (ozone) {
        zone->sh = ozone->sh;
        zone->pool = ozone->pool;
        return NGX_OK;
    }

    zone->pool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        zone->sh = zone->pool->data;
        return NGX_OK;
    }

    zone->sh = ngx_slab_alloc(zone->pool, sizeof(ngx_faas_zone_sh_t));
    if (zone->sh == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(zone->sh, sizeof(ngx_faas_zone_sh_t));
    zone->pool->data = zone->sh;

    ngx_rbtree_init(&zone->sh->rbtree, &zone->sh->sentinel,
                    ngx_faas_zone_insert_value);
    ngx_queue_init(&zone->sh->lru);

    len = sizeof(" in faas_shared zone \"\"") + shm_zone->shm.name.len;

    zone->pool->log_ctx = ngx_slab_alloc(zone->pool, len);
    if (zone->pool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(zone->pool->log_ctx, " in faas_shared zone \"%V\"%Z",
                &shm_zone->shm.name);

    /* a full zone is the normal case: it evicts, no "no memory" lines */

    zone->pool->log_nomem = 0;

    return NGX_OK;
}


/* the zones this worker's heaps see, from its cycle's configuration */

void
ngx_faas_zone_use(ngx_array_t *zones)
{
    ngx_faas_zones = zones;
}


ngx_array_t *
ngx_faas_zone_all(void)
{
    return ngx_faas_zones;
}


ngx_str_t *
ngx_faas_zone_name(ngx_faas_zone_t *zone)
{
    return &zone->name;
}


/*
 * copies the value of key into value->data, of size bytes; NGX_AGAIN and
 * value->len set to what is needed when that is too small, so the caller
 * can grow its buffer with the lock released and ask again
 */

ngx_int_t
ngx_faas_zone_get(ngx_faas_zone_t *zone, ngx_str_t *key,
    ngx_faas_zone_value_t *value, size_t size)
{
    uint32_t               hash;
    ngx_int_t              rc;
    ngx_faas_zone_node_t  *fn;

    hash = ngx_crc32_short(key->data, key->len);

    ngx_shmtx_lock(&zone->pool->mutex);

    fn = ngx_faas_zone_lookup(zone, key, hash, ngx_faas_now_us() / 1000);

    if (fn == NULL) {
        rc = NGX_DECLINED;

    } else if (fn->len > size) {
        value->len = fn->len;
        rc = NGX_AGAIN;

    } else {
        ngx_queue_remove(&fn->queue);
        ngx_queue_insert_head(&zone->sh->lru, &fn->queue);

        value->type = fn->type;
        value->number = fn->number;
        value->len = fn->len;
        ngx_memcpy(value->data, fn->data + fn->key_len, fn->len);
        rc = NGX_OK;
    }

    ngx_shmtx_unlock(&zone->pool->mutex);

    return rc;
}


/*
 * NGX_OK; NGX_DECLINED: the key is there and mode is ADD; NGX_ABORT: the
 * item is larger than half the zone, refused without evicting anything;
 * NGX_ERROR: no room even with every other item evicted
 */

ngx_int_t
ngx_faas_zone_set(ngx_faas_zone_t *zone, ngx_str_t *key,
    ngx_faas_zone_value_t *value, ngx_msec_t ttl, ngx_uint_t mode)
{
    size_t                 size;
    uint32_t               hash;
    uint64_t               now;
    ngx_int_t              rc;
    ngx_faas_zone_node_t  *fn;

    size = offsetof(ngx_faas_zone_node_t, data) + key->len + value->len;

    if (size > (size_t) (zone->pool->end - zone->pool->start) / 2) {
        return NGX_ABORT;
    }

    hash = ngx_crc32_short(key->data, key->len);
    now = ngx_faas_now_us() / 1000;

    ngx_shmtx_lock(&zone->pool->mutex);

    ngx_faas_zone_expire(zone, now);

    fn = ngx_faas_zone_lookup(zone, key, hash, now);

    if (fn && mode == NGX_FAAS_ZONE_ADD) {
        rc = NGX_DECLINED;
        goto done;
    }

    /* the old item goes first: a full zone then has its room */

    if (fn) {
        ngx_faas_zone_free(zone, fn);
    }

    rc = ngx_faas_zone_insert(zone, key, hash, value, ttl, now);

done:

    ngx_shmtx_unlock(&zone->pool->mutex);

    return rc;
}


/*
 * adds delta to the number of key, or to 0 if there is none (the new
 * item gets ttl; an existing one keeps its own); NGX_DECLINED: the value
 * is not a number; NGX_ERROR: no room for a new item
 */

ngx_int_t
ngx_faas_zone_incr(ngx_faas_zone_t *zone, ngx_str_t *key, double delta,
    ngx_msec_t ttl, double *result)
{
    uint32_t               hash;
    uint64_t               now;
    ngx_int_t              rc;
    ngx_faas_zone_node_t  *fn;
    ngx_faas_zone_value_t  value;

    hash = ngx_crc32_short(key->data, key->len);
    now = ngx_faas_now_us() / 1000;

    ngx_shmtx_lock(&zone->pool->mutex);

    fn = ngx_faas_zone_lookup(zone, key, hash, now);

    if (fn) {
        if (fn->type != NGX_FAAS_ZONE_NUMBER) {
            rc = NGX_DECLINED;
            goto done;
        }

        fn->number += delta;
        *result = fn->number;

        ngx_queue_remove(&fn->queue);
        ngx_queue_insert_head(&zone->sh->lru, &fn->queue);

        rc = NGX_OK;
        goto done;
    }

    ngx_faas_zone_expire(zone, now);

    value.type = NGX_FAAS_ZONE_NUMBER;
    value.number = delta;
    value.data = NULL;
    value.len = 0;

    rc = ngx_faas_zone_insert(zone, key, hash, &value, ttl, now);
    *result = delta;

done:

    ngx_shmtx_unlock(&zone->pool->mutex);

    return rc;
}


ngx_int_t
ngx_faas_zone_delete(ngx_faas_zone_t *zone, ngx_str_t *key)
{
    uint32_t               hash;
    ngx_faas_zone_node_t  *fn;

    hash = ngx_crc32_short(key->data, key->len);

    ngx_shmtx_lock(&zone->pool->mutex);

    fn = ngx_faas_zone_lookup(zone, key, hash, ngx_faas_now_us() / 1000);

    if (fn) {
        ngx_faas_zone_free(zone, fn);
    }

    ngx_shmtx_unlock(&zone->pool->mutex);

    return fn ? NGX_OK : NGX_DECLINED;
}


/*
 * the live keys, most recently used first, at most max of them (0: all),
 * into buf as a 4-byte length and the bytes of each; expired items met
 * are freed. NGX_AGAIN and *len set to what is needed if buf is too small
 */

ngx_int_t
ngx_faas_zone_keys(ngx_faas_zone_t *zone, u_char *buf, size_t *len,
    ngx_uint_t max)
{
    size_t                 need;
    uint32_t               n;
    uint64_t               now;
    ngx_uint_t             count;
    ngx_queue_t           *q, *next;
    ngx_faas_zone_node_t  *fn;

    now = ngx_faas_now_us() / 1000;
    need = 0;
    count = 0;

    ngx_shmtx_lock(&zone->pool->mutex);

    for (q = ngx_queue_head(&zone->sh->lru);
         q != ngx_queue_sentinel(&zone->sh->lru) && (max == 0 || count < max);
         q = next)
    {
        next = ngx_queue_next(q);
        fn = ngx_queue_data(q, ngx_faas_zone_node_t, queue);

        if (fn->expires && fn->expires <= now) {
            zone->sh->expired++;
            ngx_faas_zone_free(zone, fn);
            continue;
        }

        if (need + 4 + fn->key_len <= *len) {
            n = fn->key_len;
            ngx_memcpy(buf + need, &n, 4);
            ngx_memcpy(buf + need + 4, fn->data, n);
        }

        need += 4 + fn->key_len;
        count++;
    }

    ngx_shmtx_unlock(&zone->pool->mutex);

    if (need > *len) {
        *len = need;
        return NGX_AGAIN;
    }

    *len = need;

    return NGX_OK;
}


void
ngx_faas_zone_clear(ngx_faas_zone_t *zone)
{
    ngx_queue_t  *q;

    ngx_shmtx_lock(&zone->pool->mutex);

    while (!ngx_queue_empty(&zone->sh->lru)) {
        q = ngx_queue_head(&zone->sh->lru);
        ngx_faas_zone_free(zone,
                           ngx_queue_data(q, ngx_faas_zone_node_t, queue));
    }

    ngx_shmtx_unlock(&zone->pool->mutex);
}


/* read without the lock: each word is whole, the set need not be */

void
ngx_faas_zone_stats(ngx_faas_zone_t *zone, ngx_faas_zone_stats_t *st)
{
    st->items = zone->sh->items;
    st->evictions = zone->sh->evictions;
    st->expired = zone->sh->expired;
    st->size = zone->size;
}


static void
ngx_faas_zone_insert_value(ngx_rbtree_node_t *temp, ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel)
{
    ngx_int_t               rc;
    ngx_rbtree_node_t     **p;
    ngx_faas_zone_node_t   *fn, *ft;

    fn = (ngx_faas_zone_node_t *) node;

    for ( ;; ) {

        if (node->key != temp->key) {
            p = (node->key < temp->key) ? &temp->left : &temp->right;

        } else {
            /* the same crc32: ordered by the keys themselves */

            ft = (ngx_faas_zone_node_t *) temp;

            rc = ngx_memn2cmp(fn->data, ft->data, fn->key_len, ft->key_len);
            p = (rc < 0) ? &temp->left : &temp->right;
        }

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}


/* the live item of key, or NULL; an expired one met is freed */

static ngx_faas_zone_node_t *
ngx_faas_zone_lookup(ngx_faas_zone_t *zone, ngx_str_t *key, uint32_t hash,
    uint64_t now)
{
    ngx_int_t              rc;
    ngx_rbtree_node_t     *node, *sentinel;
    ngx_faas_zone_node_t  *fn;

    node = zone->sh->rbtree.root;
    sentinel = zone->sh->rbtree.sentinel;

    while (node != sentinel) {

        if (hash != node->key) {
            node = (hash < node->key) ? node->left : node->right;
            continue;
        }

        fn = (ngx_faas_zone_node_t *) node;

        rc = ngx_memn2cmp(key->data, fn->data, key->len, fn->key_len);

        if (rc == 0) {
            if (fn->expires && fn->expires <= now) {
                zone->sh->expired++;
                ngx_faas_zone_free(zone, fn);
                return NULL;
            }

            return fn;
        }

        node = (rc < 0) ? node->left : node->right;
    }

    return NULL;
}


/* a new item, most recently used; NGX_ERROR if there is no room */

static ngx_int_t
ngx_faas_zone_insert(ngx_faas_zone_t *zone, ngx_str_t *key, uint32_t hash,
    ngx_faas_zone_value_t *value, ngx_msec_t ttl, uint64_t now)
{
    ngx_faas_zone_node_t  *fn;

    fn = ngx_faas_zone_alloc(zone, offsetof(ngx_faas_zone_node_t, data)
                                   + key->len + value->len, now);
    if (fn == NULL) {
        return NGX_ERROR;
    }

    fn->node.key = hash;
    fn->expires = ngx_faas_zone_expires(ttl, now);
    fn->type = (u_char) value->type;
    fn->number = value->number;
    fn->key_len = key->len;
    fn->len = value->len;
    ngx_memcpy(fn->data, key->data, key->len);

    if (value->len) {
        ngx_memcpy(fn->data + key->len, value->data, value->len);
    }

    ngx_rbtree_insert(&zone->sh->rbtree, &fn->node);
    ngx_queue_insert_head(&zone->sh->lru, &fn->queue);
    zone->sh->items++;

    return NGX_OK;
}


/*
 * a full zone makes room from the cold end of the queue: expired items
 * and then the least recently used ones, each counted as what it was
 */

static ngx_faas_zone_node_t *
ngx_faas_zone_alloc(ngx_faas_zone_t *zone, size_t size, uint64_t now)
{
    void                  *p;
    ngx_queue_t           *q;
    ngx_faas_zone_node_t  *fn;

    for ( ;; ) {
        p = ngx_slab_alloc_locked(zone->pool, size);
        if (p) {
            return p;
        }

        if (ngx_queue_empty(&zone->sh->lru)) {
            return NULL;
        }

        q = ngx_queue_last(&zone->sh->lru);
        fn = ngx_queue_data(q, ngx_faas_zone_node_t, queue);

        if (fn->expires && fn->expires <= now) {
            zone->sh->expired++;

        } else {
            zone->sh->evictions++;
        }

        ngx_faas_zone_free(zone, fn);
    }
}


/* a few expired items at the cold end, so memory comes back by itself */

static void
ngx_faas_zone_expire(ngx_faas_zone_t *zone, uint64_t now)
{
    ngx_uint_t             n;
    ngx_queue_t           *q;
    ngx_faas_zone_node_t  *fn;

    for (n = 0; n < NGX_FAAS_ZONE_EXPIRE; n++) {

        if (ngx_queue_empty(&zone->sh->lru)) {
            return;
        }

        q = ngx_queue_last(&zone->sh->lru);
        fn = ngx_queue_data(q, ngx_faas_zone_node_t, queue);

        if (fn->expires == 0 || fn->expires > now) {
            return;
        }

        zone->sh->expired++;
        ngx_faas_zone_free(zone, fn);
    }
}


static void
ngx_faas_zone_free(ngx_faas_zone_t *zone, ngx_faas_zone_node_t *fn)
{
    ngx_queue_remove(&fn->queue);
    ngx_rbtree_delete(&zone->sh->rbtree, &fn->node);
    ngx_slab_free_locked(zone->pool, fn);
    zone->sh->items--;
}


static uint64_t
ngx_faas_zone_expires(ngx_msec_t ttl, uint64_t now)
{
    return ttl ? now + ttl : 0;
}
