
/*
 * Copyright (C) ngx_faas authors
 */


/*
 * The files stack in layers, top to bottom; a file calls only files
 * listed after it (and this header), never one before it. Checked by
 * `make layers` (tools/faas-layers), which reads this list.
 *
 *   configuration    ngx_faas_module.c directive.c
 *   http             batch.c handler.c admit.c status.c schedule.c variables.c
 *                    render.c output.c subrequest.c
 *   request state    ctx.c
 *   calls            call.c
 *   JS runtime       fetch.c timers.c response.c console.c hooks.c
 *                    request.c require.c
 *                    collections.c url.c web.c builtins.c string.c
 *                    trace.c shared.c
 *   engine           vm.c watchdog.c promise.c bson.c
 *   shared memory    ticket.c stats.c zone.c cache.c
 *
 * src/ files are named ngx_faas_<name>.c; their headers export only
 * their own entry points, shared types live here.
 */


/*
 * Calls that wait (timers, fetch) are woken from below: an nginx event
 * reaches the JS runtime (timers.c), which must run code in the heap
 * under the protections of a call and then answer the calls it settled,
 * which is call.c's and the http layer's work. It does so through
 * function pointers the upper layers install, never by name: call.c puts
 * its ngx_faas_call_resume() into each heap it makes (ngx_faas_vm_data_t
 * .resume), the http layer puts the answer of a waiting call into the
 * call (ngx_faas_call_t .done), and the start and cancel of the
 * subrequests fetch() makes (.fetch, .unfetch: fetch.c is JS runtime,
 * subrequest.c http).
 */


#ifndef _NGX_FAAS_H_INCLUDED_
#define _NGX_FAAS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "duktape.h"


#define NGX_FAAS_DEFAULT_TIMEOUT    1000
#define NGX_FAAS_DEFAULT_DEADLINE   30000
#define NGX_FAAS_DEFAULT_MEMORY     (64 * 1024 * 1024)
#define NGX_FAAS_MIN_MEMORY         (256 * 1024)

/* the heap stash keys shared between files */
#define NGX_FAAS_STASH_ROOT         DUK_HIDDEN_SYMBOL("faasRoot")
#define NGX_FAAS_STASH_MODULES      DUK_HIDDEN_SYMBOL("faasModules")
#define NGX_FAAS_STASH_FUNCTIONS    DUK_HIDDEN_SYMBOL("faasFunctions")
#define NGX_FAAS_STASH_CALLS        DUK_HIDDEN_SYMBOL("faasCalls")
#define NGX_FAAS_STASH_TIMERS       DUK_HIDDEN_SYMBOL("faasTimers")
#define NGX_FAAS_STASH_FETCHES      DUK_HIDDEN_SYMBOL("faasFetches")


typedef struct ngx_faas_app_s  ngx_faas_app_t;
typedef struct ngx_faas_vm_s   ngx_faas_vm_t;
typedef struct ngx_faas_schedule_s  ngx_faas_schedule_t;
typedef struct ngx_faas_wait_s  ngx_faas_wait_t;
typedef struct ngx_faas_call_s  ngx_faas_call_t;
struct ngx_faas_subrequest_s;


/* how a call ended; each maps to one status and one error-log line */
typedef enum {
    NGX_FAAS_OK = 0,
    NGX_FAAS_NOT_FOUND,         /* 404: no such function */
    NGX_FAAS_BAD_BODY,          /* 400: body invalid for its content type */
    NGX_FAAS_LOAD_ERROR,        /* 500: syntax error, bad exports, require */
    NGX_FAAS_EXCEPTION,         /* 500: thrown error or rejected promise */
    NGX_FAAS_BAD_RESULT,        /* 500: a value that cannot be an answer */
    NGX_FAAS_MEMORY,            /* 500: heap over faas_memory */
    NGX_FAAS_TIMEOUT,           /* 504: over faas_timeout */
    NGX_FAAS_INTERNAL,          /* 500: heap could not be created */
    NGX_FAAS_KILLED,            /* 504: the watchdog killed it before */
    NGX_FAAS_TOO_LARGE,         /* 413: body does not fit in the heap */
    NGX_FAAS_DEFERRED,          /* 503: ran into its limits lately, and
                                   would take the last render worker */
    NGX_FAAS_DEADLINE,          /* 504: still waiting at faas_deadline */
    NGX_FAAS_HEAP_RESET         /* 503: its heap was reset while it waited */
} ngx_faas_error_e;


/* where in a call an exception was thrown: decides what it means */
typedef enum {
    NGX_FAAS_STAGE_LOAD = 0,
    NGX_FAAS_STAGE_CTX,
    NGX_FAAS_STAGE_BODY,
    NGX_FAAS_STAGE_RUN,
    NGX_FAAS_STAGE_RESULT
} ngx_faas_stage_e;


/* an app: a functions directory with one heap cap; one heap per worker */
struct ngx_faas_app_s {
    ngx_str_t                  root;      /* realpath, null-terminated */
    size_t                     memory;
    ngx_uint_t                 functions_max; /* cached per heap, 0: all */
    ngx_msec_t                 preload_timeout;
    ngx_array_t                preload;   /* of ngx_str_t */
    ngx_faas_vm_t             *vm;        /* this worker's heap or NULL */
};


typedef struct {
    ngx_array_t                apps;      /* of ngx_faas_app_t * */
    ngx_array_t                preloads;  /* of ngx_faas_loc_conf_t * */
    ngx_int_t                  request_id_index;
    ngx_uint_t                 admits;    /* faas_admit locations */
    ngx_array_t               *admit_names; /* of ngx_str_t, by slot */
    ngx_array_t                zones;     /* of ngx_faas_zone_t * */
    ngx_array_t                schedules; /* of ngx_faas_schedule_t * */
    ngx_uint_t                 used;      /* any faas_ directive at all */
    ngx_array_t               *caches;    /* of ngx_shm_zone_t *, the
                                             faas_batch_cache zones */
} ngx_faas_main_conf_t;


typedef struct {
    ngx_flag_t                 render;
} ngx_faas_srv_conf_t;


/* of ngx_faas_core_module, the render pool */
typedef struct {
    ngx_int_t                  render_workers; /* a count; once the conf
                                                  is read, the count used */
    ngx_int_t                  render_share;   /* or a percentage */
    ngx_flag_t                 render_pool;    /* either asked for one */
} ngx_faas_core_conf_t;


typedef struct {
    ngx_str_t                  name;
    ngx_http_complex_value_t   value;
} ngx_faas_env_t;


typedef struct {
    ngx_str_t                  functions; /* realpath of faas_functions */
    ngx_faas_app_t            *app;
    ngx_http_complex_value_t  *pass;
    ngx_array_t               *preload;   /* of ngx_str_t, inherited */
    ngx_array_t               *env;       /* of ngx_faas_env_t */
    ngx_array_t               *fetch_map; /* of ngx_keyval_t */
    ngx_msec_t                 timeout;
    ngx_msec_t                 deadline;
    size_t                     memory;
    ngx_flag_t                 debug;
    ngx_uint_t                 admit;
    ngx_uint_t                 admit_slot;
    ngx_msec_t                 admit_budget;
    ngx_str_t                  batch;     /* faas_batch URI */
    ngx_msec_t                 batch_timeout;
    ngx_shm_zone_t            *batch_cache; /* or NULL: off */
    ngx_int_t                  functions_max;
} ngx_faas_loc_conf_t;


/* a header of the answer, as the function set it */
typedef struct {
    ngx_str_t                  name;
    ngx_str_t                  value;
} ngx_faas_header_t;


/*
 * what a waiting call waits for (a timer, a fetch): kept on the call's
 * queue, cancelled when the call ends; duk is NULL when the heap goes
 * away with it (nothing to remove from the heap then)
 */
typedef void (*ngx_faas_wait_cancel_pt)(ngx_faas_wait_t *wait,
    duk_context *duk);

struct ngx_faas_wait_s {
    ngx_queue_t                queue;
    ngx_faas_call_t           *call;
    ngx_faas_wait_cancel_pt    cancel;
};


/* a waiting call is answered through this, see the top of this file */
typedef void (*ngx_faas_call_done_pt)(ngx_faas_call_t *call);

/* the subrequests of fetch(), as ngx_faas_subrequest.h says */
typedef ngx_int_t (*ngx_faas_call_fetch_pt)(ngx_http_request_t *r,
    struct ngx_faas_subrequest_s *fs);
typedef void (*ngx_faas_call_unfetch_pt)(struct ngx_faas_subrequest_s *fs);


/* one call of a function for one request, and its outcome */
struct ngx_faas_call_s {
    ngx_http_request_t        *request;
    ngx_faas_loc_conf_t       *conf;
    ngx_faas_vm_t             *vm;
    ngx_str_t                  name;
    ngx_str_t                  request_id;
    ngx_str_t                  body;

    ngx_faas_stage_e           stage;
    ngx_faas_error_e           error;
    ngx_str_t                  message;   /* error detail, for the log */
    ngx_str_t                  stack;

    ngx_uint_t                 status;
    ngx_str_t                  content_type;
    ngx_array_t                headers;   /* of ngx_faas_header_t */
    ngx_str_t                  out;

    ngx_array_t               *logs;      /* faas_debug: console lines */
    uint64_t                   run_time;  /* microseconds */
    uint64_t                   queue_time; /* microseconds, if queued */
    ngx_uint_t                 queued;    /* came through faas_admit */
    ngx_msec_t                 schedule;  /* a run of faas_schedule: its
                                             interval; 0 for a request */
    uint64_t                   scheduled_time; /* when the run was due, ms
                                                  since the epoch */

    /* a call that waits: see ngx_faas_call_run() */
    ngx_uint_t                 id;        /* which, in its heap: its
                                             reactions know it by it */
    ngx_uint_t                 ref;       /* its entry in the heap stash
                                             (ngx_faas_vm_ref()) */
    ngx_queue_t                queue;     /* in the heap's waiting calls */
    ngx_queue_t                waits;     /* of ngx_faas_wait_t */
    ngx_event_t                deadline;  /* faas_deadline */
    void                      *ctx;       /* its ctx object in the heap */
    ngx_faas_call_done_pt      done;      /* answers it once it ends */
    ngx_faas_call_fetch_pt     fetch;     /* starts a subrequest */
    ngx_faas_call_unfetch_pt   unfetch;   /* ... and forgets it */
    unsigned                   sync:1;    /* its handler answers it */
    unsigned                   pending:1; /* it waits */
    unsigned                   settled:1; /* ... and its promise settled */
    unsigned                   rejected:1;
    unsigned                   overrun:1; /* over faas_timeout, unstopped */
};


/*
 * the request body in one piece (ngx_faas_handler_read_body()), also when
 * nginx spooled it to a file, which may be read in a thread: then in is
 * the buffer to go on from, pos where its bytes go
 */
typedef struct {
    ngx_str_t                  text;
    ngx_chain_t               *in;
    u_char                    *pos;
} ngx_faas_body_t;


/* the per-request state: a call, a ticket of the render pool, or both */
typedef struct {
    ngx_http_request_t        *request;
    ngx_faas_call_t           *call;
    uint64_t                   ticket;
    ngx_msec_int_t             queue_time;  /* microseconds */
    ngx_uint_t                 admit_slot;
    ngx_str_t                  request_id;
    ngx_http_log_handler_pt    log_handler; /* the one we wrapped */
    ngx_faas_body_t            read;        /* the request body in one piece */
    ngx_event_t                later;       /* its call put off a turn */
    unsigned                   admitted:1;  /* the front took the ticket */
    unsigned                   claimed:1;   /* a render worker claimed it */
    unsigned                   refused:1;
    unsigned                   reading:1;   /* faas_admit reads the body */
    unsigned                   body:1;      /* ... and has it all */
    unsigned                   poisoned:1;  /* its call killed a worker */
} ngx_faas_ctx_t;


/* microseconds; ngx_current_msec is not updated while JavaScript runs */

static ngx_inline uint64_t
ngx_faas_now_us(void)
{
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    return (uint64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}


extern ngx_module_t  ngx_faas_module;
extern ngx_module_t  ngx_faas_core_module;


#endif /* _NGX_FAAS_H_INCLUDED_ */
