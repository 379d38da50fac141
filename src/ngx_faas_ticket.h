
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_TICKET_H_INCLUDED_
#define _NGX_FAAS_TICKET_H_INCLUDED_


#include "ngx_faas.h"


/* the request header a ticket travels in, from the front to the render */
#define NGX_FAAS_TICKET_HEADER  "X-Faas-Ticket"


ngx_int_t ngx_faas_ticket_take(uint64_t *seq, uint64_t *check);
ngx_int_t ngx_faas_ticket_start(uint64_t seq, uint64_t check,
    ngx_msec_int_t *queue_us);
void ngx_faas_ticket_run(uint64_t seq);
void ngx_faas_ticket_kill(uint64_t run_time);
void ngx_faas_ticket_end(uint64_t seq);
void ngx_faas_ticket_finish(uint64_t seq, uint64_t run_time);
ngx_int_t ngx_faas_ticket_release(uint64_t seq, uint64_t *run_time);


#endif /* _NGX_FAAS_TICKET_H_INCLUDED_ */
