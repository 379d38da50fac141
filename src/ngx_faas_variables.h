
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_VARIABLES_H_INCLUDED_
#define _NGX_FAAS_VARIABLES_H_INCLUDED_


#include "ngx_faas.h"


ngx_int_t ngx_faas_variables_add(ngx_conf_t *cf);


#endif /* _NGX_FAAS_VARIABLES_H_INCLUDED_ */
