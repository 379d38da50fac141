
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_admit.h"
#include "ngx_faas_batch.h"
#include "ngx_faas_call.h"
#include "ngx_faas_directive.h"
#include "ngx_faas_render.h"
#include "ngx_faas_schedule.h"
#include "ngx_faas_stats.h"
#include "ngx_faas_status.h"
#include "ngx_faas_subrequest.h"
#include "ngx_faas_variables.h"
#include "ngx_faas_vm.h"
#include "ngx_faas_zone.h"


static ngx_int_t ngx_faas_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_faas_init(ngx_conf_t *cf);
static ngx_int_t ngx_faas_add_handler(ngx_conf_t *cf,
    ngx_http_phases phase, ngx_http_handler_pt handler);
static void *ngx_faas_create_main_conf(ngx_conf_t *cf);
static void *ngx_faas_create_srv_conf(ngx_conf_t *cf);
static char *ngx_faas_merge_srv_conf(ngx_conf_t *cf, void *parent,
    void *child);
static void *ngx_faas_create_loc_conf(ngx_conf_t *cf);
static char *ngx_faas_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_faas_init_process(ngx_cycle_t *cycle);
static void ngx_faas_exit_process(ngx_cycle_t *cycle);
static void *ngx_faas_core_create_conf(ngx_cycle_t *cycle);
static char *ngx_faas_core_init_conf(ngx_cycle_t *cycle, void *conf);


static ngx_command_t  ngx_faas_commands[] = {

    { ngx_string("faas_functions"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_faas_set_functions,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("faas_pass"),
      NGX_HTTP_LOC_CONF|NGX_HTTP_LIF_CONF|NGX_CONF_TAKE1,
      ngx_faas_set_pass,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("faas_preload"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_faas_set_preload,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("faas_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_faas_set_timeout,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_faas_loc_conf_t, timeout),
      NULL },

    { ngx_string("faas_deadline"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_faas_loc_conf_t, deadline),
      NULL },

    { ngx_string("faas_fetch_map"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_faas_set_fetch_map,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("faas_memory"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_faas_set_memory,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_faas_loc_conf_t, memory),
      NULL },

    { ngx_string("faas_env"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_faas_set_env,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("faas_debug"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_faas_loc_conf_t, debug),
      NULL },

    { ngx_string("faas_shared"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_faas_set_shared,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("faas_schedule"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_faas_set_schedule,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("faas_render"),
      NGX_HTTP_SRV_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_faas_srv_conf_t, render),
      NULL },

    { ngx_string("faas_admit"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS|NGX_CONF_TAKE1,
      ngx_faas_set_admit,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("faas_batch"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_faas_set_batch,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("faas_batch_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_faas_loc_conf_t, batch_timeout),
      NULL },

    { ngx_string("faas_batch_cache"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_faas_set_batch_cache,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("faas_functions_max"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_faas_loc_conf_t, functions_max),
      NULL },

    { ngx_string("faas_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_faas_set_status,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_faas_module_ctx = {
    ngx_faas_preconfiguration,             /* preconfiguration */
    ngx_faas_init,                         /* postconfiguration */

    ngx_faas_create_main_conf,             /* create main configuration */
    NULL,                                  /* init main configuration */

    ngx_faas_create_srv_conf,              /* create server configuration */
    ngx_faas_merge_srv_conf,               /* merge server configuration */

    ngx_faas_create_loc_conf,              /* create location configuration */
    ngx_faas_merge_loc_conf                /* merge location configuration */
};


ngx_module_t  ngx_faas_module = {
    NGX_MODULE_V1,
    &ngx_faas_module_ctx,                  /* module context */
    ngx_faas_commands,                     /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_faas_init_process,                 /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_faas_exit_process,                 /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_command_t  ngx_faas_core_commands[] = {

    { ngx_string("faas_render_workers"),
      NGX_MAIN_CONF|NGX_DIRECT_CONF|NGX_CONF_TAKE1,
      ngx_faas_set_render_workers,
      0,
      0,
      NULL },

      ngx_null_command
};


static ngx_core_module_t  ngx_faas_core_module_ctx = {
    ngx_string("faas"),
    ngx_faas_core_create_conf,
    ngx_faas_core_init_conf
};


ngx_module_t  ngx_faas_core_module = {
    NGX_MODULE_V1,
    &ngx_faas_core_module_ctx,             /* module context */
    ngx_faas_core_commands,                /* module directives */
    NGX_CORE_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_faas_render_init_process,          /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_faas_preconfiguration(ngx_conf_t *cf)
{
    return ngx_faas_variables_add(cf);
}


/* nothing is added where no faas_ directive is used */

static ngx_int_t
ngx_faas_init(ngx_conf_t *cf)
{
    ngx_str_t              name = ngx_string("request_id");
    ngx_faas_main_conf_t  *fmcf;

    fmcf = ngx_http_conf_get_module_main_conf(cf, ngx_faas_module);

    if (ngx_faas_init_preloads(cf, fmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (fmcf->apps.nelts == 0 && !fmcf->used) {
        return NGX_OK;
    }

    if (ngx_faas_schedule_check(cf, &fmcf->schedules) != NGX_OK) {
        return NGX_ERROR;
    }

    fmcf->request_id_index = ngx_http_get_variable_index(cf, &name);
    if (fmcf->request_id_index == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (ngx_faas_stats_add_zone(cf) != NGX_OK
        || ngx_faas_subrequest_init(cf) != NGX_OK
        || ngx_faas_add_handler(cf, NGX_HTTP_POST_READ_PHASE,
                                ngx_faas_render_post_read)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (fmcf->admits
        && ngx_faas_add_handler(cf, NGX_HTTP_PREACCESS_PHASE,
                                ngx_faas_admit_handler)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_faas_add_handler(ngx_conf_t *cf, ngx_http_phases phase,
    ngx_http_handler_pt handler)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[phase].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = handler;

    return NGX_OK;
}


static void *
ngx_faas_create_main_conf(ngx_conf_t *cf)
{
    ngx_faas_main_conf_t  *fmcf;

    fmcf = ngx_pcalloc(cf->pool, sizeof(ngx_faas_main_conf_t));
    if (fmcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&fmcf->apps, cf->pool, 4, sizeof(ngx_faas_app_t *))
        != NGX_OK
        || ngx_array_init(&fmcf->preloads, cf->pool, 4,
                          sizeof(ngx_faas_loc_conf_t *))
           != NGX_OK
        || ngx_array_init(&fmcf->zones, cf->pool, 4, sizeof(void *))
           != NGX_OK
        || ngx_array_init(&fmcf->schedules, cf->pool, 4, sizeof(void *))
           != NGX_OK)
    {
        return NULL;
    }

    fmcf->request_id_index = NGX_ERROR;

    return fmcf;
}


static void *
ngx_faas_create_srv_conf(ngx_conf_t *cf)
{
    ngx_faas_srv_conf_t  *fscf;

    fscf = ngx_pcalloc(cf->pool, sizeof(ngx_faas_srv_conf_t));
    if (fscf == NULL) {
        return NULL;
    }

    fscf->render = NGX_CONF_UNSET;

    return fscf;
}


static char *
ngx_faas_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_faas_srv_conf_t *prev = parent;
    ngx_faas_srv_conf_t *conf = child;

    ngx_faas_main_conf_t  *fmcf;

    ngx_conf_merge_value(conf->render, prev->render, 0);

    if (conf->render) {
        fmcf = ngx_http_conf_get_module_main_conf(cf, ngx_faas_module);
        fmcf->used = 1;
    }

    return NGX_CONF_OK;
}


static void *
ngx_faas_create_loc_conf(ngx_conf_t *cf)
{
    ngx_faas_loc_conf_t  *flcf;

    flcf = ngx_pcalloc(cf->pool, sizeof(ngx_faas_loc_conf_t));
    if (flcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     flcf->functions = { 0, NULL };
     *     flcf->app = NULL;
     *     flcf->pass = NULL;
     *     flcf->preload = NULL;
     *     flcf->env = NULL;
     *     flcf->admit = 0;
     *     flcf->batch = { 0, NULL };
     */

    flcf->timeout = NGX_CONF_UNSET_MSEC;
    flcf->deadline = NGX_CONF_UNSET_MSEC;
    flcf->memory = NGX_CONF_UNSET_SIZE;
    flcf->debug = NGX_CONF_UNSET;
    flcf->batch_timeout = NGX_CONF_UNSET_MSEC;
    flcf->batch_cache = NGX_CONF_UNSET_PTR;
    flcf->functions_max = NGX_CONF_UNSET;

    return flcf;
}


static char *
ngx_faas_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_faas_loc_conf_t *prev = parent;
    ngx_faas_loc_conf_t *conf = child;

    ngx_conf_merge_str_value(conf->functions, prev->functions, "");
    ngx_conf_merge_msec_value(conf->timeout, prev->timeout,
                              NGX_FAAS_DEFAULT_TIMEOUT);
    ngx_conf_merge_msec_value(conf->deadline, prev->deadline,
                              NGX_FAAS_DEFAULT_DEADLINE);
    ngx_conf_merge_size_value(conf->memory, prev->memory,
                              NGX_FAAS_DEFAULT_MEMORY);
    ngx_conf_merge_value(conf->debug, prev->debug, 0);
    ngx_conf_merge_msec_value(conf->batch_timeout, prev->batch_timeout,
                              NGX_FAAS_BATCH_TIMEOUT);
    ngx_conf_merge_ptr_value(conf->batch_cache, prev->batch_cache, NULL);
    ngx_conf_merge_value(conf->functions_max, prev->functions_max, 0);

    if (conf->functions_max < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"faas_functions_max\" must be 0 or more");
        return NGX_CONF_ERROR;
    }

    if (conf->env == NULL) {
        conf->env = prev->env;
    }

    if (conf->fetch_map == NULL) {
        conf->fetch_map = prev->fetch_map;
    }

    if (conf->preload == NULL) {
        conf->preload = prev->preload;
    }

    if (conf->functions.len == 0) {
        if (conf->pass) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"faas_pass\" needs \"faas_functions\" "
                               "in this location or an enclosing block");
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;
    }

    conf->app = ngx_faas_app_get(cf, &conf->functions, conf->memory);
    if (conf->app == NULL) {
        return NGX_CONF_ERROR;
    }

    /* locations sharing a heap: the largest cap of theirs */

    if ((ngx_uint_t) conf->functions_max > conf->app->functions_max) {
        conf->app->functions_max = conf->functions_max;
    }

    /* preloaded into the heap a location uses, with its faas_memory */

    if (conf->pass && conf->preload
        && ngx_faas_preload_app(cf, conf) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_faas_init_process(ngx_cycle_t *cycle)
{
    ngx_uint_t             i;
    ngx_faas_app_t       **app;
    ngx_faas_main_conf_t  *fmcf;

    fmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_faas_module);
    if (fmcf == NULL) {
        return NGX_OK;
    }

    /* the heaps of this worker see the zones of its own cycle */

    ngx_faas_zone_use(&fmcf->zones);

    app = fmcf->apps.elts;

    for (i = 0; i < fmcf->apps.nelts; i++) {
        if (app[i]->preload.nelts) {
            /* a failed preload is logged; the function loads lazily later */
            (void) ngx_faas_call_preload(app[i], cycle->log);
        }
    }

    return ngx_faas_schedule_init_process(cycle, &fmcf->schedules);
}


static void
ngx_faas_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t             i;
    ngx_faas_app_t       **app;
    ngx_faas_main_conf_t  *fmcf;

    fmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_faas_module);
    if (fmcf == NULL) {
        return;
    }

    app = fmcf->apps.elts;

    for (i = 0; i < fmcf->apps.nelts; i++) {
        ngx_faas_vm_destroy(app[i]);
    }
}


static void *
ngx_faas_core_create_conf(ngx_cycle_t *cycle)
{
    ngx_faas_core_conf_t  *fccf;

    fccf = ngx_pcalloc(cycle->pool, sizeof(ngx_faas_core_conf_t));
    if (fccf == NULL) {
        return NULL;
    }

    fccf->render_workers = NGX_CONF_UNSET;
    fccf->render_share = NGX_CONF_UNSET;

    return fccf;
}


static char *
ngx_faas_core_init_conf(ngx_cycle_t *cycle, void *conf)
{
    ngx_faas_core_conf_t *fccf = conf;

    ngx_int_t              n;
    ngx_core_conf_t       *ccf;
    ngx_faas_main_conf_t  *fmcf;

    ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx, ngx_core_module);

    /*
     * worker_processes is known here, "auto" included: a share is taken
     * of it, rounded, and whatever was asked leaves one front worker, so
     * a stock "worker_processes auto" works on any number of CPUs
     */

    if (fccf->render_share != NGX_CONF_UNSET) {
        n = (ccf->worker_processes * fccf->render_share + 50) / 100;
        fccf->render_pool = (fccf->render_share > 0);

    } else {
        ngx_conf_init_value(fccf->render_workers, 0);
        n = fccf->render_workers;
        fccf->render_pool = (n > 0);

        if (n >= ccf->worker_processes && ccf->worker_processes > 1) {
            ngx_log_error(NGX_LOG_WARN, cycle->log, 0,
                          "\"faas_render_workers %i\" leaves no front "
                          "worker with %i worker processes: lowered to %i",
                          n, ccf->worker_processes,
                          ccf->worker_processes - 1);
        }
    }

    fccf->render_workers = ngx_min(n, ccf->worker_processes - 1);

    if (fccf->render_workers == 0 && fccf->render_pool) {
        ngx_log_error(NGX_LOG_WARN, cycle->log, 0,
                      "\"faas_render_workers\" leaves no render worker "
                      "with %i worker process%s: render servers are "
                      "served like the others", ccf->worker_processes,
                      ccf->worker_processes == 1 ? "" : "es");
    }

    if (ngx_faas_render_check_listeners(cycle, fccf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* after ngx_core_module's init_conf: the worker user is known */

    fmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_faas_module);

    if (fmcf && ngx_faas_check_readable(cycle, fmcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}
