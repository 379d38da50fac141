
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_STATS_H_INCLUDED_
#define _NGX_FAAS_STATS_H_INCLUDED_


#include "ngx_faas.h"


#define NGX_FAAS_STATS_FUNCTIONS  512
#define NGX_FAAS_STATS_NAME       128
#define NGX_FAAS_STATS_BUCKETS    62   /* 61 bounds, then the rest */
#define NGX_FAAS_STATS_WORKERS    64
#define NGX_FAAS_STATS_TICKETS    8192
#define NGX_FAAS_STATS_ADMITS     64
#define NGX_FAAS_STATS_SCHEDULES  64


/* counts by bucket (not cumulative), see ngx_faas_stats_bound() */
typedef struct {
    ngx_atomic_t               sum;           /* microseconds */
    ngx_atomic_t               buckets[NGX_FAAS_STATS_BUCKETS];
} ngx_faas_stats_histogram_t;


typedef struct {
    ngx_atomic_t               used;
    size_t                     len;
    u_char                     name[NGX_FAAS_STATS_NAME];
    ngx_atomic_t               requests;
    ngx_atomic_t               errors;
    ngx_atomic_t               timeouts;
    ngx_atomic_t               killed;        /* by the watchdog */
    ngx_atomic_t               resets;
    ngx_atomic_t               deferred;      /* see ngx_faas_render_defer */
    ngx_atomic_t               late;          /* its last call ran into a
                                                 limit: time, memory */
    ngx_faas_stats_histogram_t run_time;
    ngx_faas_stats_histogram_t queue_time;    /* render pool, admitted */
} ngx_faas_stats_function_t;


typedef struct {
    ngx_atomic_t               pid;
    ngx_atomic_t               render;
    ngx_atomic_t               busy;
    ngx_atomic_t               requests;
    ngx_atomic_t               heap_bytes;
    ngx_atomic_t               modules;
    ngx_atomic_t               running;       /* the function of the call
                                                 in progress: its index in
                                                 functions + 1, or 0 */
    ngx_atomic_t               deadline;      /* us, monotonic: when that
                                                 call passes faas_timeout */
    ngx_atomic_t               function_loads;     /* faas_functions_max */
    ngx_atomic_t               function_evictions;
} ngx_faas_stats_worker_t;


/* a request admitted by a front worker, claimed by a render worker */
typedef struct {
    ngx_atomic_t               word;          /* seq << 2 | state */
    ngx_atomic_t               admitted;      /* microseconds, monotonic */
    ngx_atomic_t               run_time;      /* microseconds */
} ngx_faas_stats_ticket_t;


typedef struct {
    ngx_atomic_t               average;       /* run time, microseconds */
    ngx_atomic_t               admitted;
    ngx_atomic_t               refused;
} ngx_faas_stats_admit_t;


/*
 * a faas_schedule: who runs it now and when it is due, shared by the
 * workers of this cycle and the next, so a reload neither runs it twice
 * at once nor early
 */
typedef struct {
    ngx_atomic_t               key;           /* 0: free */
    ngx_atomic_t               owner;         /* pid of the run, or 0 */
    ngx_atomic_t               next;          /* ms, monotonic */
    ngx_atomic_t               runs;
    ngx_atomic_t               failed;
    ngx_atomic_t               skipped;       /* the run before still on */
} ngx_faas_stats_schedule_t;


typedef struct {
    ngx_atomic_t               waiting;
    ngx_atomic_t               seq;
    ngx_atomic_t               secret;
    ngx_faas_stats_function_t  functions[NGX_FAAS_STATS_FUNCTIONS];
    ngx_faas_stats_worker_t    worker[NGX_FAAS_STATS_WORKERS];
    ngx_faas_stats_admit_t     admit[NGX_FAAS_STATS_ADMITS];
    ngx_faas_stats_ticket_t    tickets[NGX_FAAS_STATS_TICKETS];
    ngx_faas_stats_schedule_t  schedules[NGX_FAAS_STATS_SCHEDULES];
} ngx_faas_stats_t;


ngx_int_t ngx_faas_stats_add_zone(ngx_conf_t *cf);
ngx_faas_stats_t *ngx_faas_stats_get(void);
ngx_faas_stats_worker_t *ngx_faas_stats_worker(void);
ngx_faas_stats_worker_t *ngx_faas_stats_worker_take(void);
void ngx_faas_stats_call(ngx_faas_call_t *call, ngx_uint_t reset,
    size_t heap_bytes, ngx_uint_t modules);
uint64_t ngx_faas_stats_bound(ngx_uint_t b);
double ngx_faas_stats_quantile(ngx_faas_stats_histogram_t *h, double q);
ngx_faas_stats_function_t *ngx_faas_stats_function(ngx_str_t *name);
ngx_faas_stats_schedule_t *ngx_faas_stats_schedule(uint64_t key,
    ngx_msec_t first);
void ngx_faas_stats_killed(ngx_faas_stats_function_t *f, uint64_t run_time);
void ngx_faas_stats_running(ngx_str_t *name, uint64_t deadline);


#endif /* _NGX_FAAS_STATS_H_INCLUDED_ */
