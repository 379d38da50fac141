
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_CACHE_H_INCLUDED_
#define _NGX_FAAS_CACHE_H_INCLUDED_


#include "ngx_faas.h"


/* what a cache zone counts, read by faas_status */
typedef struct {
    ngx_str_t                  name;
    ngx_uint_t                 entries;
    uint64_t                   hits;
    uint64_t                   misses;
    uint64_t                   stores;
    uint64_t                   evictions;
    size_t                     size;
} ngx_faas_cache_stats_t;


ngx_shm_zone_t *ngx_faas_cache_add_zone(ngx_conf_t *cf, ngx_str_t *name,
    size_t size);
ngx_uint_t ngx_faas_cache_generation(ngx_shm_zone_t *zone);
ngx_int_t ngx_faas_cache_get(ngx_shm_zone_t *zone, ngx_str_t *key,
    ngx_pool_t *pool, ngx_str_t *value);
void ngx_faas_cache_put(ngx_shm_zone_t *zone, ngx_str_t *key,
    ngx_str_t *value);
void ngx_faas_cache_stats(ngx_shm_zone_t *zone, ngx_faas_cache_stats_t *s);


#endif /* _NGX_FAAS_CACHE_H_INCLUDED_ */
