
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_ZONE_H_INCLUDED_
#define _NGX_FAAS_ZONE_H_INCLUDED_


#include "ngx_faas.h"


/* what a value of a shared zone is */
#define NGX_FAAS_ZONE_BSON        0   /* a BSON document, see bson.c */
#define NGX_FAAS_ZONE_NUMBER      1   /* a double, what incr() counts */

/* how set() treats a key that is there */
#define NGX_FAAS_ZONE_SET         0
#define NGX_FAAS_ZONE_ADD         1   /* only if absent */


typedef struct ngx_faas_zone_s  ngx_faas_zone_t;


/* a value as stored or to store; bytes only for NGX_FAAS_ZONE_BSON */
typedef struct {
    ngx_uint_t                 type;
    double                     number;
    u_char                    *data;
    size_t                     len;
} ngx_faas_zone_value_t;


/* the counters of a zone, for faas_status */
typedef struct {
    ngx_uint_t                 items;
    ngx_uint_t                 evictions;
    ngx_uint_t                 expired;
    size_t                     size;
} ngx_faas_zone_stats_t;


ngx_faas_zone_t *ngx_faas_zone_add(ngx_conf_t *cf, ngx_str_t *name,
    size_t size);
void ngx_faas_zone_use(ngx_array_t *zones);
ngx_array_t *ngx_faas_zone_all(void);
ngx_str_t *ngx_faas_zone_name(ngx_faas_zone_t *zone);
ngx_int_t ngx_faas_zone_get(ngx_faas_zone_t *zone, ngx_str_t *key,
    ngx_faas_zone_value_t *value, size_t size);
ngx_int_t ngx_faas_zone_set(ngx_faas_zone_t *zone, ngx_str_t *key,
    ngx_faas_zone_value_t *value, ngx_msec_t ttl, ngx_uint_t mode);
ngx_int_t ngx_faas_zone_incr(ngx_faas_zone_t *zone, ngx_str_t *key,
    double delta, ngx_msec_t ttl, double *result);
ngx_int_t ngx_faas_zone_delete(ngx_faas_zone_t *zone, ngx_str_t *key);
ngx_int_t ngx_faas_zone_keys(ngx_faas_zone_t *zone, u_char *buf,
    size_t *len, ngx_uint_t max);
void ngx_faas_zone_clear(ngx_faas_zone_t *zone);
void ngx_faas_zone_stats(ngx_faas_zone_t *zone, ngx_faas_zone_stats_t *st);


#endif /* _NGX_FAAS_ZONE_H_INCLUDED_ */
