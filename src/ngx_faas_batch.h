
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_BATCH_H_INCLUDED_
#define _NGX_FAAS_BATCH_H_INCLUDED_


#include "ngx_faas.h"


/* Hypernova's body-parser limit (hypernova 2.5.0, src/server.js) */
#define NGX_FAAS_BATCH_MAX_BODY     1024000

#define NGX_FAAS_BATCH_TIMEOUT      1000


char *ngx_faas_set_batch(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_faas_set_batch_cache(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


#endif /* _NGX_FAAS_BATCH_H_INCLUDED_ */
