
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_DIRECTIVE_H_INCLUDED_
#define _NGX_FAAS_DIRECTIVE_H_INCLUDED_


#include "ngx_faas.h"


char *ngx_faas_set_functions(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_faas_set_pass(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_faas_set_preload(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_faas_set_env(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_faas_set_fetch_map(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_faas_set_timeout(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_faas_set_memory(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_faas_set_schedule(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_faas_set_shared(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_faas_set_render_workers(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_faas_app_t *ngx_faas_app_get(ngx_conf_t *cf, ngx_str_t *root,
    size_t memory);
ngx_int_t ngx_faas_init_preloads(ngx_conf_t *cf,
    ngx_faas_main_conf_t *fmcf);
ngx_int_t ngx_faas_preload_app(ngx_conf_t *cf, ngx_faas_loc_conf_t *flcf);
ngx_int_t ngx_faas_check_readable(ngx_cycle_t *cycle,
    ngx_faas_main_conf_t *fmcf);


#endif /* _NGX_FAAS_DIRECTIVE_H_INCLUDED_ */
