
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_ADMIT_H_INCLUDED_
#define _NGX_FAAS_ADMIT_H_INCLUDED_


#include "ngx_faas.h"


char *ngx_faas_set_admit(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_faas_admit_handler(ngx_http_request_t *r);


#endif /* _NGX_FAAS_ADMIT_H_INCLUDED_ */
