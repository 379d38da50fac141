
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_RENDER_H_INCLUDED_
#define _NGX_FAAS_RENDER_H_INCLUDED_


#include "ngx_faas.h"


ngx_uint_t ngx_faas_render_workers(ngx_cycle_t *cycle);
ngx_int_t ngx_faas_render_check_listeners(ngx_cycle_t *cycle,
    ngx_faas_core_conf_t *fccf);
ngx_int_t ngx_faas_render_init_process(ngx_cycle_t *cycle);
ngx_int_t ngx_faas_render_post_read(ngx_http_request_t *r);
ngx_int_t ngx_faas_render_defer(ngx_str_t *name);


#endif /* _NGX_FAAS_RENDER_H_INCLUDED_ */
