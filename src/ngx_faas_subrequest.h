
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_SUBREQUEST_H_INCLUDED_
#define _NGX_FAAS_SUBREQUEST_H_INCLUDED_


#include "ngx_faas.h"


/*
 * One subrequest to a URI of the same server, its answer kept in memory.
 *
 * The caller fills the first group, the strings and the struct itself in
 * memory that lives as long as the main request (its pool: a subrequest
 * shares the main request's pool), and calls ngx_faas_subrequest_start().
 * When the subrequest ends, the second group is filled and handler(fs)
 * is called once, unless ngx_faas_subrequest_cancel() came first.
 *
 * The handler runs inside the subrequest's finalization: it must not
 * finalize the main request there; it records what it needs and, to go
 * on, posts the main request (ngx_http_post_request(fs->request->main),
 * after setting its write_event_handler), which nginx runs once the
 * current event is handled.
 *
 * Subrequests are started in the background (see the .c file): the main
 * request may answer while some are in flight; those run on to their own
 * end (bounded by the target location's timeouts, proxy_read_timeout for
 * a proxy_pass), and the client connection is closed after them instead
 * of being kept alive.
 */

typedef struct ngx_faas_subrequest_s  ngx_faas_subrequest_t;

typedef void (*ngx_faas_subrequest_done_pt)(ngx_faas_subrequest_t *fs);


struct ngx_faas_subrequest_s {
    /* asked for */
    ngx_str_t                    method;   /* empty: GET */
    ngx_str_t                    uri;      /* starts with '/', may hold
                                              "?args" when args is empty */
    ngx_str_t                    args;
    ngx_array_t                 *headers;  /* of ngx_keyval_t, or NULL:
                                              set or replace request
                                              headers */
    ngx_str_t                    body;     /* sent with Content-Length */
    ngx_faas_subrequest_done_pt  handler;
    void                        *data;
    unsigned                     clean_headers:1; /* none of the main
                                                     request's headers */

    /* the answer */
    ngx_http_request_t          *request;  /* the subrequest */
    ngx_uint_t                   status;   /* 0: no complete answer */
    ngx_list_t                  *headers_out; /* of ngx_table_elt_t */
    ngx_str_t                    content_type;
    ngx_str_t                    response; /* the body */
    unsigned                     done:1;
    unsigned                     cancelled:1;
    unsigned                     truncated:1; /* over the target's
                                          subrequest_output_buffer_size:
                                          response is empty */

    /* private */
    unsigned                     logged:1;
    ngx_buf_t                   *buf;
    ngx_http_post_subrequest_t   ps;
};


ngx_int_t ngx_faas_subrequest_init(ngx_conf_t *cf);
ngx_int_t ngx_faas_subrequest_start(ngx_http_request_t *r,
    ngx_faas_subrequest_t *fs);
void ngx_faas_subrequest_cancel(ngx_faas_subrequest_t *fs);


#endif /* _NGX_FAAS_SUBREQUEST_H_INCLUDED_ */
