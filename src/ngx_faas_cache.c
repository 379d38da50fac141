
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_cache.h"


/*
 * faas_batch_cache: rendered HTML by its key in a shared memory zone, so
 * every front worker answers from it. Entries live in a slab pool, are
 * found through a red-black tree of the key's CRC32 (ngx_str_node_t,
 * full keys compared) and ordered in a queue, most recently used first:
 * when the slab has no room, the least recently used go.
 *
 * The zone lives across reloads (same name and size); each configuration
 * that takes it is a new generation, and the caller puts the generation
 * into the key: HTML rendered before a reload, with the bundles of then,
 * is never found after it.
 */


typedef struct {
    ngx_str_node_t             sn;        /* sn.str: the key, in data */
    ngx_queue_t                queue;
    size_t                     len;       /* of the value, after the key */
    u_char                     data[1];
} ngx_faas_cache_node_t;


typedef struct {
    ngx_rbtree_t               rbtree;
    ngx_rbtree_node_t          sentinel;
    ngx_queue_t                queue;
    ngx_uint_t                 generation;
    ngx_uint_t                 entries;
    uint64_t                   hits;
    uint64_t                   misses;
    uint64_t                   stores;
    uint64_t                   evictions;
} ngx_faas_cache_sh_t;


typedef struct {
    ngx_faas_cache_sh_t       *sh;
    ngx_slab_pool_t           *shpool;
    ngx_uint_t                 generation;   /* this configuration's */
} ngx_faas_cache_ctx_t;


static ngx_int_t ngx_faas_cache_init_zone(ngx_shm_zone_t *zone, void *data);
static ngx_uint_t ngx_faas_cache_evict(ngx_faas_cache_ctx_t *ctx);


ngx_shm_zone_t *
ngx_faas_cache_add_zone(ngx_conf_t *cf, ngx_str_t *name, size_t size)
{
    ngx_shm_zone_t        *zone;
    ngx_faas_cache_ctx_t  *ctx;

    zone = ngx_shared_memory_add(cf, name, size, &ngx_faas_module);
    if (zone == NULL) {
        return NULL;
    }

    if (zone->data) {
        /* the same zone named again (another location) */
        return zone;
    }

    ctx = ngx_pcalloc(cf->pool, sizeof(ngx_faas_cache_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    zone->init = ngx_faas_cache_init_zone;
    zone->data = ctx;

    return zone;
}


static ngx_int_t
ngx_faas_cache_init_zone(ngx_shm_zone_t *zone, void *data)
{
    ngx_faas_cache_ctx_t  *octx = data;

    size_t                 len;
    ngx_faas_cache_ctx_t  *ctx;

    ctx = zone->data;

    if (octx) {
        ctx->sh = octx->sh;
        ctx->shpool = octx->shpool;

    } else {
        ctx->shpool = (ngx_slab_pool_t *) zone->shm.addr;

        if (zone->shm.exists) {
            ctx->sh = ctx->shpool->data;
        }
    }

    if (ctx->sh) {
        /* a reload: a new generation, old entries are never found again */
        ngx_shmtx_lock(&ctx->shpool->mutex);
        ctx->generation = ++ctx->sh->generation;
        ngx_shmtx_unlock(&ctx->shpool->mutex);
        return NGX_OK;
    }

    ctx->sh = ngx_slab_alloc(ctx->shpool, sizeof(ngx_faas_cache_sh_t));
    if (ctx->sh == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(ctx->sh, sizeof(ngx_faas_cache_sh_t));
    ctx->shpool->data = ctx->sh;

    ngx_rbtree_init(&ctx->sh->rbtree, &ctx->sh->sentinel,
                    ngx_str_rbtree_insert_value);
    ngx_queue_init(&ctx->sh->queue);

    ctx->sh->generation = 1;
    ctx->generation = 1;

    len = sizeof(" in faas_batch_cache zone \"\"") + zone->shm.name.len;

    ctx->shpool->log_ctx = ngx_slab_alloc(ctx->shpool, len);
    if (ctx->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(ctx->shpool->log_ctx, " in faas_batch_cache zone \"%V\"%Z",
                &zone->shm.name);

    /* full is normal: the least recently used make room */
    ctx->shpool->log_nomem = 0;

    return NGX_OK;
}


ngx_uint_t
ngx_faas_cache_generation(ngx_shm_zone_t *zone)
{
    ngx_faas_cache_ctx_t  *ctx;

    ctx = zone->data;

    return ctx->generation;
}


/* NGX_OK with a copy of the value in the pool, NGX_DECLINED, NGX_ERROR */

ngx_int_t
ngx_faas_cache_get(ngx_shm_zone_t *zone, ngx_str_t *key, ngx_pool_t *pool,
    ngx_str_t *value)
{
    uint32_t                hash;
    ngx_int_t               rc;
    ngx_faas_cache_ctx_t   *ctx;
    ngx_faas_cache_node_t  *fcn;

    ctx = zone->data;
    hash = ngx_crc32_long(key->data, key->len);
    rc = NGX_DECLINED;

    ngx_shmtx_lock(&ctx->shpool->mutex);

    fcn = (ngx_faas_cache_node_t *) ngx_str_rbtree_lookup(&ctx->sh->rbtree,
                                                          key, hash);

    if (fcn == NULL) {
        ctx->sh->misses++;
        goto done;
    }

    value->len = fcn->len;
    value->data = ngx_pnalloc(pool, fcn->len);

    if (value->data == NULL) {
        rc = NGX_ERROR;
        goto done;
    }

    ngx_memcpy(value->data, fcn->data + key->len, fcn->len);

    ngx_queue_remove(&fcn->queue);
    ngx_queue_insert_head(&ctx->sh->queue, &fcn->queue);

    ctx->sh->hits++;
    rc = NGX_OK;

done:

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    return rc;
}


/* best effort: a value that does not fit is not kept */

void
ngx_faas_cache_put(ngx_shm_zone_t *zone, ngx_str_t *key, ngx_str_t *value)
{
    size_t                  size;
    uint32_t                hash;
    ngx_faas_cache_ctx_t   *ctx;
    ngx_faas_cache_node_t  *fcn;

    ctx = zone->data;
    size = offsetof(ngx_faas_cache_node_t, data) + key->len + value->len;

    /* one entry may not empty the whole zone */

    if (size > zone->shm.size / 4) {
        return;
    }

    hash = ngx_crc32_long(key->data, key->len);

    ngx_shmtx_lock(&ctx->shpool->mutex);

    if (ngx_str_rbtree_lookup(&ctx->sh->rbtree, key, hash)) {
        /* another worker rendered the same job meanwhile */
        goto done;
    }

    for ( ;; ) {
        fcn = ngx_slab_alloc_locked(ctx->shpool, size);

        if (fcn || ngx_faas_cache_evict(ctx) == 0) {
            break;
        }
    }

    if (fcn == NULL) {
        goto done;
    }

    fcn->sn.node.key = hash;
    fcn->sn.str.len = key->len;
    fcn->sn.str.data = fcn->data;
    fcn->len = value->len;

    ngx_memcpy(fcn->data, key->data, key->len);
    ngx_memcpy(fcn->data + key->len, value->data, value->len);

    ngx_rbtree_insert(&ctx->sh->rbtree, &fcn->sn.node);
    ngx_queue_insert_head(&ctx->sh->queue, &fcn->queue);

    ctx->sh->entries++;
    ctx->sh->stores++;

done:

    ngx_shmtx_unlock(&ctx->shpool->mutex);
}


/* the least recently used entry goes; 0 when there was none */

static ngx_uint_t
ngx_faas_cache_evict(ngx_faas_cache_ctx_t *ctx)
{
    ngx_queue_t            *q;
    ngx_faas_cache_node_t  *fcn;

    if (ngx_queue_empty(&ctx->sh->queue)) {
        return 0;
    }

    q = ngx_queue_last(&ctx->sh->queue);
    fcn = ngx_queue_data(q, ngx_faas_cache_node_t, queue);

    ngx_queue_remove(q);
    ngx_rbtree_delete(&ctx->sh->rbtree, &fcn->sn.node);
    ngx_slab_free_locked(ctx->shpool, fcn);

    ctx->sh->entries--;
    ctx->sh->evictions++;

    return 1;
}


void
ngx_faas_cache_stats(ngx_shm_zone_t *zone, ngx_faas_cache_stats_t *s)
{
    ngx_faas_cache_ctx_t  *ctx;

    ctx = zone->data;

    ngx_shmtx_lock(&ctx->shpool->mutex);

    s->name = zone->shm.name;
    s->size = zone->shm.size;
    s->entries = ctx->sh->entries;
    s->hits = ctx->sh->hits;
    s->misses = ctx->sh->misses;
    s->stores = ctx->sh->stores;
    s->evictions = ctx->sh->evictions;

    ngx_shmtx_unlock(&ctx->shpool->mutex);
}
