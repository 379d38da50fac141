
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_SCHEDULE_H_INCLUDED_
#define _NGX_FAAS_SCHEDULE_H_INCLUDED_


#include "ngx_faas.h"


/* what faas_status shows of a schedule */
typedef struct {
    ngx_str_t                  name;
    ngx_msec_t                 interval;
    ngx_uint_t                 runs;
    ngx_uint_t                 failed;
    ngx_uint_t                 skipped;
    void                      *lease;     /* the same for two lines of one
                                             function of one app */
} ngx_faas_schedule_stats_t;


ngx_faas_schedule_t *ngx_faas_schedule_add(ngx_conf_t *cf,
    ngx_faas_loc_conf_t *flcf, ngx_msec_t interval, ngx_str_t *name);
ngx_int_t ngx_faas_schedule_check(ngx_conf_t *cf, ngx_array_t *schedules);
ngx_int_t ngx_faas_schedule_init_process(ngx_cycle_t *cycle,
    ngx_array_t *schedules);
ngx_int_t ngx_faas_schedule_stats(ngx_faas_schedule_t *sc,
    ngx_faas_schedule_stats_t *st);


#endif /* _NGX_FAAS_SCHEDULE_H_INCLUDED_ */
