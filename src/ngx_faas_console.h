
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_CONSOLE_H_INCLUDED_
#define _NGX_FAAS_CONSOLE_H_INCLUDED_


#include "ngx_faas.h"


void ngx_faas_console_init(duk_context *duk);


#endif /* _NGX_FAAS_CONSOLE_H_INCLUDED_ */
