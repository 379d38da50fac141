
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <jansson.h>

#include "ngx_faas.h"
#include "ngx_faas_batch.h"
#include "ngx_faas_cache.h"
#include "ngx_faas_ctx.h"
#include "ngx_faas_handler.h"
#include "ngx_faas_output.h"
#include "ngx_faas_require.h"
#include "ngx_faas_subrequest.h"
#include "ngx_faas_vm.h"


/*
 * faas_batch: Hypernova's POST /batch on the front. The envelope
 * {TOKEN: {name, data, metadata?}} is parsed here (jansson); every job is
 * one in-memory subrequest, a POST of the job's JSON to URI/NAME (an
 * internal location that proxy_passes to the render pool, through
 * faas_admit), all in flight at once; the answers are gathered as they
 * come and the batch is answered when the last is in, or at
 * faas_batch_timeout with what is in by then.
 *
 * The markup is wrapped here, as Hypernova's serialize() does it: the
 * component's function returns its markup only, so it is the same
 * function a page location can call, and the data the script tag carries
 * is the job's own, re-serialized from the envelope without a second
 * trip through a heap.
 */


typedef struct ngx_faas_batch_s  ngx_faas_batch_t;

typedef struct {
    ngx_faas_subrequest_t      fs;
    ngx_faas_batch_t          *batch;
    ngx_str_t                  token;
    ngx_str_t                  name;
    ngx_str_t                  key;       /* name without non-word chars */
    ngx_str_t                  data;      /* the data as JSON, escaped */
    ngx_str_t                  body;      /* the job as JSON */
    ngx_str_t                  html;
    ngx_uint_t                 code;      /* the job's statusCode */
    const char                *error;     /* Error's name, or NULL */
    ngx_str_t                  message;
    ngx_str_t                  stack;     /* of the answer (faas_debug) */
    ngx_str_t                  cache_key; /* or empty: not cached */
    uint64_t                   start;
    uint64_t                   duration;  /* microseconds */
    unsigned                   done:1;
} ngx_faas_batch_job_t;


struct ngx_faas_batch_s {
    ngx_http_request_t        *request;
    ngx_faas_batch_job_t      *jobs;
    ngx_uint_t                 njobs;
    ngx_uint_t                 pending;
    ngx_msec_t                 timeout;
    ngx_event_t                timer;
    unsigned                   answered:1;
    unsigned                   timed_out:1;
};


static ngx_int_t ngx_faas_batch_handler(ngx_http_request_t *r);
static void ngx_faas_batch_body(ngx_http_request_t *r);
static ngx_int_t ngx_faas_batch_start(ngx_http_request_t *r,
    ngx_str_t *envelope_text);
static ngx_int_t ngx_faas_batch_parse(ngx_http_request_t *r,
    ngx_faas_batch_t *batch, json_t *envelope, const char **message);
static ngx_int_t ngx_faas_batch_job(ngx_http_request_t *r,
    ngx_faas_batch_job_t *job, const char *token, json_t *value,
    const char **message);
static ngx_int_t ngx_faas_batch_dump(ngx_http_request_t *r, json_t *json,
    ngx_str_t *out, ngx_uint_t escape);
static ngx_int_t ngx_faas_batch_text(ngx_http_request_t *r, json_t *json,
    ngx_str_t *out);
static void ngx_faas_batch_send(ngx_faas_batch_t *batch,
    ngx_faas_batch_job_t *job);
static ngx_int_t ngx_faas_batch_cached(ngx_http_request_t *r,
    ngx_faas_loc_conf_t *flcf, ngx_faas_batch_job_t *job);
static ngx_int_t ngx_faas_batch_cache_key(ngx_http_request_t *r,
    ngx_faas_loc_conf_t *flcf, ngx_faas_batch_job_t *job);
static void ngx_faas_batch_done(ngx_faas_subrequest_t *fs);
static void ngx_faas_batch_outcome(ngx_faas_batch_job_t *job);
static ngx_int_t ngx_faas_batch_string(ngx_pool_t *pool, json_t *v,
    ngx_str_t *s);
static void ngx_faas_batch_timer(ngx_event_t *ev);
static void ngx_faas_batch_resume(ngx_http_request_t *r);
static ngx_faas_batch_t *ngx_faas_batch_find(ngx_http_request_t *r);
static ngx_int_t ngx_faas_batch_answer(ngx_faas_batch_t *batch);
static json_t *ngx_faas_batch_result(ngx_faas_batch_t *batch,
    ngx_faas_batch_job_t *job);
static json_t *ngx_faas_batch_stack(ngx_faas_batch_job_t *job);
static ngx_int_t ngx_faas_batch_wrap(ngx_http_request_t *r,
    ngx_faas_batch_job_t *job, ngx_str_t *html);
static ngx_int_t ngx_faas_batch_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *message);
static void ngx_faas_batch_cleanup(void *data);


char *
ngx_faas_set_batch(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_loc_conf_t *flcf = conf;

    ngx_str_t                 *value;
    ngx_faas_main_conf_t      *fmcf;
    ngx_http_core_loc_conf_t  *clcf;

    if (flcf->batch.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0 || value[1].data[0] != '/'
        || ngx_strlchr(value[1].data, value[1].data + value[1].len, '?'))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid URI \"%V\" in \"%V\" directive, it "
                           "must start with \"/\" and have no arguments",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    flcf->batch = value[1];

    fmcf = ngx_http_conf_get_module_main_conf(cf, ngx_faas_module);
    fmcf->used = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_faas_batch_handler;

    return NGX_CONF_OK;
}


/* faas_batch_cache NAME:SIZE | off */

char *
ngx_faas_set_batch_cache(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_loc_conf_t *flcf = conf;

    u_char                *p;
    ssize_t                size;
    ngx_str_t             *value, name, s;
    ngx_shm_zone_t       **zp;
    ngx_faas_main_conf_t  *fmcf;

    if (flcf->batch_cache != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        flcf->batch_cache = NULL;
        return NGX_CONF_OK;
    }

    p = (u_char *) ngx_strchr(value[1].data, ':');

    if (p == NULL || p == value[1].data) {
        goto invalid;
    }

    name.data = value[1].data;
    name.len = p - value[1].data;

    s.data = p + 1;
    s.len = value[1].data + value[1].len - s.data;

    size = ngx_parse_size(&s);

    if (size == NGX_ERROR || size < (ssize_t) (8 * ngx_pagesize)) {
        goto invalid;
    }

    flcf->batch_cache = ngx_faas_cache_add_zone(cf, &name, size);
    if (flcf->batch_cache == NULL) {
        return NGX_CONF_ERROR;
    }

    fmcf = ngx_http_conf_get_module_main_conf(cf, ngx_faas_module);

    if (fmcf->caches == NULL) {
        fmcf->caches = ngx_array_create(cf->pool, 1,
                                        sizeof(ngx_shm_zone_t *));
        if (fmcf->caches == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    zp = fmcf->caches->elts;

    for (size = 0; size < (ssize_t) fmcf->caches->nelts; size++) {
        if (zp[size] == flcf->batch_cache) {
            return NGX_CONF_OK;
        }
    }

    zp = ngx_array_push(fmcf->caches);
    if (zp == NULL) {
        return NGX_CONF_ERROR;
    }

    *zp = flcf->batch_cache;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\" in \"%V\" directive, it must "
                       "be \"off\" or NAME:SIZE, SIZE at least %uz",
                       &value[1], &cmd->name, 8 * ngx_pagesize);

    return NGX_CONF_ERROR;
}


static ngx_int_t
ngx_faas_batch_handler(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    if (r->method != NGX_HTTP_POST) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    if (r->headers_in.content_length_n > NGX_FAAS_BATCH_MAX_BODY) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "ngx_faas_batch_handler: body of %O bytes is over "
                      "%d", r->headers_in.content_length_n,
                      NGX_FAAS_BATCH_MAX_BODY);

        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_faas_batch_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                    "request body too large");
    }

    rc = ngx_http_read_client_request_body(r, ngx_faas_batch_body);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


/* the body is in: the batch starts, or the request ends at once */

static void
ngx_faas_batch_body(ngx_http_request_t *r)
{
    ngx_int_t        rc;
    ngx_faas_ctx_t  *ctx;

    if (r->aio) {
        /* a write event on the connection while a thread reads the body */
        return;
    }

    r->write_event_handler = ngx_http_request_empty_handler;

    /* a part nginx wrote to a file is read as for a call (handler.c) */

    ctx = ngx_faas_ctx_get(r);
    if (ctx == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rc = ngx_faas_handler_read_body(r, &ctx->read);

    if (rc == NGX_AGAIN) {
        r->write_event_handler = ngx_faas_batch_body;
        return;
    }

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rc = ngx_faas_batch_start(r, &ctx->read.text);

    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}


static ngx_int_t
ngx_faas_batch_start(ngx_http_request_t *r, ngx_str_t *envelope_text)
{
    u_char               *p, text[4 * JSON_ERROR_TEXT_LENGTH];
    json_t               *envelope;
    ngx_int_t             rc;
    ngx_str_t             body;
    const char           *message;
    ngx_uint_t            i;
    json_error_t          err;
    ngx_faas_batch_t     *batch;
    ngx_pool_cleanup_t   *cln;
    ngx_faas_loc_conf_t  *flcf;

    body = *envelope_text;

    if (body.len > NGX_FAAS_BATCH_MAX_BODY) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "ngx_faas_batch_start: body of %uz bytes is over %d",
                      body.len, NGX_FAAS_BATCH_MAX_BODY);
        return ngx_faas_batch_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                    "request body too large");
    }

    envelope = json_loadb((char *) body.data, body.len, 0, &err);

    if (envelope == NULL) {
        /* jansson quotes the body near the error: escaped */
        p = ngx_faas_vm_escape(text, text + sizeof(text), (u_char *) err.text,
                               ngx_strlen(err.text));

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "ngx_faas_batch_start: body is not JSON: %*s at "
                      "offset %d", (size_t) (p - text), text, err.position);
        return ngx_faas_batch_error(r, NGX_HTTP_BAD_REQUEST,
                                    "body is not JSON");
    }

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_faas_batch_t));
    if (cln == NULL) {
        json_decref(envelope);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    batch = cln->data;
    ngx_memzero(batch, sizeof(ngx_faas_batch_t));
    batch->request = r;

    /* the timer goes with the request, also when the client leaves */

    cln->handler = ngx_faas_batch_cleanup;

    rc = ngx_faas_batch_parse(r, batch, envelope, &message);

    json_decref(envelope);

    if (rc == NGX_DECLINED) {
        return ngx_faas_batch_error(r, NGX_HTTP_BAD_REQUEST, message);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    flcf = ngx_http_get_module_loc_conf(r, ngx_faas_module);

    batch->timeout = flcf->batch_timeout;

    for (i = 0; i < batch->njobs; i++) {
        ngx_faas_batch_send(batch, &batch->jobs[i]);
    }

    if (batch->pending == 0) {
        batch->answered = 1;
        return ngx_faas_batch_answer(batch);
    }

    batch->timer.handler = ngx_faas_batch_timer;
    batch->timer.data = batch;
    batch->timer.log = r->connection->log;

    ngx_add_timer(&batch->timer, batch->timeout);

    r->write_event_handler = ngx_faas_batch_resume;

    return NGX_DONE;
}


/* NGX_OK, NGX_DECLINED with the message of a 400, or NGX_ERROR */

static ngx_int_t
ngx_faas_batch_parse(ngx_http_request_t *r, ngx_faas_batch_t *batch,
    json_t *envelope, const char **message)
{
    json_t      *value;
    ngx_int_t    rc;
    const char  *token;

    if (!json_is_object(envelope)) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "ngx_faas_batch_parse: body is not a JSON object");
        *message = "body must be a JSON object of jobs";
        return NGX_DECLINED;
    }

    batch->jobs = ngx_pcalloc(r->pool, (json_object_size(envelope) + 1)
                                       * sizeof(ngx_faas_batch_job_t));
    if (batch->jobs == NULL) {
        return NGX_ERROR;
    }

    json_object_foreach(envelope, token, value) {

        rc = ngx_faas_batch_job(r, &batch->jobs[batch->njobs], token, value,
                                message);
        if (rc != NGX_OK) {
            return rc;
        }

        batch->jobs[batch->njobs].batch = batch;
        batch->njobs++;
    }

    return NGX_OK;
}


/* NGX_OK, NGX_DECLINED with the message of a 400, or NGX_ERROR */

static ngx_int_t
ngx_faas_batch_job(ngx_http_request_t *r, ngx_faas_batch_job_t *job,
    const char *token, json_t *value, const char **message)
{
    u_char      *p, *q, buf[64];
    json_t      *name, *data;
    ngx_uint_t   i;

    job->token.len = ngx_strlen(token);
    job->token.data = ngx_pnalloc(r->pool, job->token.len);
    if (job->token.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(job->token.data, token, job->token.len);

    name = json_object_get(value, "name");

    if (!json_is_object(value) || !json_is_string(name)) {
        /* the token is the client's: logged escaped, cut short */
        p = ngx_faas_vm_escape(buf, buf + sizeof(buf), job->token.data,
                               job->token.len);

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "ngx_faas_batch_job: job \"%*s\" %s",
                      (size_t) (p - buf), buf,
                      json_is_object(value) ? "has no string \"name\""
                                            : "is not an object");

        *message = json_is_object(value)
                   ? "a job's \"name\" must be a string"
                   : "a job must be a JSON object";
        return NGX_DECLINED;
    }

    job->name.len = json_string_length(name);
    job->name.data = ngx_pnalloc(r->pool, job->name.len);
    job->key.data = ngx_pnalloc(r->pool, job->name.len);

    if (job->name.data == NULL || job->key.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(job->name.data, json_string_value(name), job->name.len);

    /* Hypernova's key: the name without \W (ASCII word characters) */

    p = job->name.data;
    q = job->key.data;

    for (i = 0; i < job->name.len; i++) {
        if ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')
            || (p[i] >= '0' && p[i] <= '9') || p[i] == '_')
        {
            *q++ = p[i];
        }
    }

    job->key.len = q - job->key.data;

    data = json_object_get(value, "data");

    if (data == NULL) {
        data = json_null();

    } else {
        json_incref(data);
    }

    if (ngx_faas_batch_dump(r, data, &job->data, 1) != NGX_OK) {
        return NGX_ERROR;
    }

    json_incref(value);

    return ngx_faas_batch_dump(r, value, &job->body, 0);
}


/*
 * the value as compact JSON in the pool (the reference is consumed);
 * escape: & and > as &amp; and &gt;, as Hypernova writes the data into
 * its script tag
 */

static ngx_int_t
ngx_faas_batch_dump(ngx_http_request_t *r, json_t *json, ngx_str_t *out,
    ngx_uint_t escape)
{
    u_char     *p, *s;
    size_t      len, n;
    ngx_str_t   text;

    if (ngx_faas_batch_text(r, json, &text) != NGX_OK) {
        return NGX_ERROR;
    }

    if (!escape) {
        *out = text;
        return NGX_OK;
    }

    len = text.len;

    for (n = 0; n < text.len; n++) {
        if (text.data[n] == '&') {
            len += sizeof("&amp;") - 2;

        } else if (text.data[n] == '>') {
            len += sizeof("&gt;") - 2;
        }
    }

    if (len == text.len) {
        *out = text;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->data = p;
    out->len = len;

    for (s = text.data; s < text.data + text.len; s++) {
        if (*s == '&') {
            p = ngx_cpymem(p, "&amp;", sizeof("&amp;") - 1);

        } else if (*s == '>') {
            p = ngx_cpymem(p, "&gt;", sizeof("&gt;") - 1);

        } else {
            *p++ = *s;
        }
    }

    return NGX_OK;
}


/*
 * JSON.stringify() writes a number in its shortest form that reads back
 * the same; jansson writes 17 digits (0.1 as 0.10000000000000001): 15
 * are tried first, and kept when they read back the same value
 */

static ngx_int_t
ngx_faas_batch_text(ngx_http_request_t *r, json_t *json, ngx_str_t *out)
{
    char    *text;
    json_t  *back;

    text = json_dumps(json, JSON_COMPACT|JSON_ENCODE_ANY
                            |JSON_REAL_PRECISION(15));
    if (text == NULL) {
        json_decref(json);
        return NGX_ERROR;
    }

    back = json_loads(text, JSON_DECODE_ANY, NULL);
    free(text);

    if (back == NULL || !json_equal(back, json)) {
        json_decref(back);
        return ngx_faas_output_text(r, json, JSON_COMPACT|JSON_ENCODE_ANY,
                                    out);
    }

    json_decref(back);

    return ngx_faas_output_text(r, json, JSON_COMPACT|JSON_ENCODE_ANY
                                         |JSON_REAL_PRECISION(15), out);
}


/* one job, one subrequest: a name no function can have is 404 at once */

static void
ngx_faas_batch_send(ngx_faas_batch_t *batch, ngx_faas_batch_job_t *job)
{
    u_char                *p;
    ngx_int_t              rc;
    ngx_keyval_t          *kv;
    ngx_http_request_t    *r;
    ngx_faas_loc_conf_t   *flcf;
    ngx_faas_subrequest_t *fs;

    r = batch->request;
    flcf = ngx_http_get_module_loc_conf(r, ngx_faas_module);

    job->start = ngx_faas_now_us();
    job->done = 1;

    if (!ngx_faas_require_name_valid(&job->name)) {
        job->code = NGX_HTTP_NOT_FOUND;
        return;
    }

    if (flcf->batch_cache && ngx_faas_batch_cached(r, flcf, job) == NGX_OK) {
        job->code = NGX_HTTP_OK;
        job->duration = ngx_faas_now_us() - job->start;
        return;
    }

    fs = &job->fs;

    fs->uri.len = flcf->batch.len + job->name.len;
    fs->uri.data = ngx_pnalloc(r->pool, fs->uri.len);
    fs->headers = ngx_array_create(r->pool, 1, sizeof(ngx_keyval_t));

    if (fs->uri.data == NULL || fs->headers == NULL) {
        job->code = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return;
    }

    p = ngx_cpymem(fs->uri.data, flcf->batch.data, flcf->batch.len);
    ngx_memcpy(p, job->name.data, job->name.len);

    kv = ngx_array_push(fs->headers);
    if (kv == NULL) {
        job->code = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return;
    }

    ngx_str_set(&kv->key, "Content-Type");
    ngx_str_set(&kv->value, "application/json");

    ngx_str_set(&fs->method, "POST");
    fs->body = job->body;
    fs->clean_headers = 1;
    fs->handler = ngx_faas_batch_done;
    fs->data = job;

    rc = ngx_faas_subrequest_start(r, fs);

    if (rc != NGX_OK) {
        job->code = NGX_HTTP_INTERNAL_SERVER_ERROR;
        ngx_str_set(&job->message, "cannot start the render subrequest");
        return;
    }

    job->done = 0;
    batch->pending++;
}


/*
 * faas_batch_cache: NGX_OK with the job's HTML from the zone; otherwise
 * the job goes to the render pool, with the key its HTML is kept under
 */

static ngx_int_t
ngx_faas_batch_cached(ngx_http_request_t *r, ngx_faas_loc_conf_t *flcf,
    ngx_faas_batch_job_t *job)
{
    ngx_int_t  rc;

    if (ngx_faas_batch_cache_key(r, flcf, job) != NGX_OK) {
        ngx_str_null(&job->cache_key);
        return NGX_DECLINED;
    }

    rc = ngx_faas_cache_get(flcf->batch_cache, &job->cache_key, r->pool,
                            &job->html);

    if (rc == NGX_ERROR) {
        ngx_str_null(&job->cache_key);
    }

    return rc;
}


/*
 * the key: the configuration's generation (a reload never finds what was
 * rendered before it), the bundle's inode, modification time and size
 * (the file the render side loads for NAME: NAME.js or NAME/index.js
 * under the faas_functions of this location), and the whole job as JSON
 * (name, data, metadata)
 */

static ngx_int_t
ngx_faas_batch_cache_key(ngx_http_request_t *r, ngx_faas_loc_conf_t *flcf,
    ngx_faas_batch_job_t *job)
{
    u_char           *path, *p;
    ngx_file_info_t   fi;

    if (flcf->functions.len == 0) {
        return NGX_DECLINED;
    }

    path = ngx_pnalloc(r->pool, flcf->functions.len + job->name.len
                                + sizeof("//index.js"));
    if (path == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(path, "%V/%V.js%Z", &flcf->functions, &job->name);

    if (ngx_file_info(path, &fi) == NGX_FILE_ERROR) {
        ngx_sprintf(path, "%V/%V/index.js%Z", &flcf->functions, &job->name);

        if (ngx_file_info(path, &fi) == NGX_FILE_ERROR) {
            return NGX_DECLINED;   /* no bundle: the render side says 404 */
        }
    }

    job->cache_key.data = ngx_pnalloc(r->pool, 5 * NGX_INT64_LEN
                                               + job->body.len);
    if (job->cache_key.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(job->cache_key.data, "%ui %uL %T.%09l %O\n",
                    ngx_faas_cache_generation(flcf->batch_cache),
                    (uint64_t) ngx_file_uniq(&fi), ngx_file_mtime(&fi),
                    (long) fi.st_mtim.tv_nsec, ngx_file_size(&fi));
    p = ngx_cpymem(p, job->body.data, job->body.len);

    job->cache_key.len = p - job->cache_key.data;

    return NGX_OK;
}


static void
ngx_faas_batch_done(ngx_faas_subrequest_t *fs)
{
    ngx_faas_batch_job_t *job = fs->data;

    ngx_faas_batch_t     *batch;
    ngx_faas_loc_conf_t  *flcf;

    batch = job->batch;

    job->done = 1;
    job->duration = ngx_faas_now_us() - job->start;
    batch->pending--;

    ngx_faas_batch_outcome(job);

    if (job->code == NGX_HTTP_OK && job->cache_key.len) {
        flcf = ngx_http_get_module_loc_conf(batch->request, ngx_faas_module);
        ngx_faas_cache_put(flcf->batch_cache, &job->cache_key, &job->html);
    }

    if (batch->pending == 0 && !batch->answered) {
        /* answered from the main request, not inside this subrequest */
        (void) ngx_http_post_request(batch->request, NULL);
    }
}


/* what the render pool's answer means for the job */

static void
ngx_faas_batch_outcome(ngx_faas_batch_job_t *job)
{
    json_t                 *json, *v;
    ngx_faas_subrequest_t  *fs;

    fs = &job->fs;

    if (fs->status == NGX_HTTP_OK && fs->response.len) {
        job->code = NGX_HTTP_OK;
        job->html = fs->response;
        return;
    }

    if (fs->status == NGX_HTTP_NOT_FOUND) {
        job->code = NGX_HTTP_NOT_FOUND;
        return;
    }

    job->code = NGX_HTTP_INTERNAL_SERVER_ERROR;

    if (fs->truncated) {
        ngx_str_set(&job->message, "the component's HTML is over the "
                    "subrequest_output_buffer_size of the render location");
        return;
    }

    if (fs->status == 0) {
        ngx_str_set(&job->message, "no answer from the render pool");
        return;
    }

    if (fs->status == NGX_HTTP_OK || fs->status == NGX_HTTP_NO_CONTENT) {
        job->error = "TypeError";
        ngx_str_set(&job->message, "HTML was not returned to Hypernova");
        return;
    }

    if (fs->status == NGX_HTTP_SERVICE_UNAVAILABLE) {
        ngx_str_set(&job->message, "refused by the render pool (503)");
        return;
    }

    ngx_str_set(&job->message, "render error");

    /* the function's JSON error: "error", with faas_debug "message" and
       "stack" too */

    json = json_loadb((char *) fs->response.data, fs->response.len, 0,
                      NULL);
    if (json == NULL) {
        return;
    }

    v = json_object_get(json, "message");

    if (!json_is_string(v)) {
        v = json_object_get(json, "error");
    }

    (void) ngx_faas_batch_string(fs->request->pool, v, &job->message);
    (void) ngx_faas_batch_string(fs->request->pool,
                                 json_object_get(json, "stack"), &job->stack);

    json_decref(json);
}


/* a JSON string into the pool (the JSON is freed before the answer) */

static ngx_int_t
ngx_faas_batch_string(ngx_pool_t *pool, json_t *v, ngx_str_t *s)
{
    u_char  *p;

    if (!json_is_string(v)) {
        return NGX_DECLINED;
    }

    p = ngx_pnalloc(pool, json_string_length(v));
    if (p == NULL) {
        return NGX_ERROR;
    }

    s->len = json_string_length(v);
    s->data = p;
    ngx_memcpy(p, json_string_value(v), s->len);

    return NGX_OK;
}


static void
ngx_faas_batch_timer(ngx_event_t *ev)
{
    ngx_connection_t    *c;
    ngx_faas_batch_t    *batch;
    ngx_http_request_t  *r;

    batch = ev->data;
    r = batch->request;
    c = r->connection;

    batch->timed_out = 1;

    ngx_faas_batch_resume(r);
    ngx_http_run_posted_requests(c);
}


/*
 * the main request's write handler while the jobs run: posted by the
 * last job's answer, called by the timer, and by any write event
 */

static void
ngx_faas_batch_resume(ngx_http_request_t *r)
{
    ngx_faas_batch_t  *batch;

    batch = ngx_faas_batch_find(r);

    if (batch == NULL || batch->answered
        || (batch->pending && !batch->timed_out))
    {
        return;
    }

    batch->answered = 1;

    if (batch->timer.timer_set) {
        ngx_del_timer(&batch->timer);
    }

    r->write_event_handler = ngx_http_request_empty_handler;

    ngx_http_finalize_request(r, ngx_faas_batch_answer(batch));
}


static ngx_faas_batch_t *
ngx_faas_batch_find(ngx_http_request_t *r)
{
    ngx_faas_batch_t    *batch;
    ngx_pool_cleanup_t  *cln;

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_faas_batch_cleanup) {
            batch = cln->data;

            if (batch->request == r) {
                return batch;
            }
        }
    }

    return NULL;
}


/*
 * Hypernova's answer: {"success", "error", "results": {TOKEN: result}};
 * a job still out is cancelled (its subrequest runs on, unseen) and
 * counts as timed out
 */

static ngx_int_t
ngx_faas_batch_answer(ngx_faas_batch_t *batch)
{
    json_t                *json, *results, *result;
    ngx_str_t              type, out;
    ngx_uint_t             i;
    ngx_http_request_t    *r;
    ngx_faas_batch_job_t  *job;

    r = batch->request;

    json = json_object();
    results = json_object();

    if (json == NULL || results == NULL
        || json_object_set_new(json, "success", json_true()) != 0
        || json_object_set_new(json, "error", json_null()) != 0
        || json_object_set_new(json, "results", results) != 0)
    {
        json_decref(results);
        goto failed;
    }

    for (i = 0; i < batch->njobs; i++) {
        job = &batch->jobs[i];

        if (!job->done) {
            ngx_faas_subrequest_cancel(&job->fs);

            job->done = 1;
            job->duration = ngx_faas_now_us() - job->start;
            job->code = NGX_HTTP_INTERNAL_SERVER_ERROR;
            job->error = "TimeoutError";
            ngx_str_set(&job->message, "no answer within faas_batch_timeout");
        }

        result = ngx_faas_batch_result(batch, job);

        if (result == NULL
            || json_object_setn_new_nocheck(results,
                                            (char *) job->token.data,
                                            job->token.len, result)
               != 0)
        {
            goto failed;
        }
    }

    /* durations in microseconds: "1.234", not "1.2340000000000002" */

    if (ngx_faas_output_text(r, json, JSON_COMPACT|JSON_REAL_PRECISION(12),
                             &out)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_OK;
    ngx_str_set(&type, "application/json");

    return ngx_faas_output_body(r, &type, &out);

failed:

    json_decref(json);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


static json_t *
ngx_faas_batch_result(ngx_faas_batch_t *batch, ngx_faas_batch_job_t *job)
{
    u_char              buf[64], *p;
    json_t             *result, *html, *error, *stack;
    ngx_str_t           wrapped;
    const char         *name;
    ngx_http_request_t *r;

    r = batch->request;

    html = NULL;

    if (job->code == NGX_HTTP_OK) {
        if (ngx_faas_batch_wrap(r, job, &wrapped) != NGX_OK) {
            return NULL;
        }

        html = json_stringn((char *) wrapped.data, wrapped.len);

        if (html == NULL) {
            /* not UTF-8: the render side sends only UTF-8 */
            job->code = NGX_HTTP_INTERNAL_SERVER_ERROR;
            ngx_str_set(&job->message, "the component's HTML is not UTF-8");
        }
    }

    error = NULL;

    if (job->code == NGX_HTTP_NOT_FOUND) {
        job->error = "ReferenceError";
        job->message.len = job->name.len + sizeof("Component \"\" not "
                                                  "registered") - 1;
        job->message.data = ngx_pnalloc(r->pool, job->message.len);
        if (job->message.data == NULL) {
            return NULL;
        }

        ngx_sprintf(job->message.data, "Component \"%V\" not registered",
                    &job->name);
    }

    if (job->code != NGX_HTTP_OK) {
        name = job->error ? job->error : "Error";

        stack = ngx_faas_batch_stack(job);
        error = json_pack("{s:s, s:s, s:s%, s:o}", "type", name, "name", name,
                          "message", (char *) job->message.data,
                          job->message.len, "stack", stack);
        if (error == NULL) {
            json_decref(stack);
            return NULL;
        }

        p = ngx_faas_vm_escape(buf, buf + sizeof(buf), job->name.data,
                               job->name.len);

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "ngx_faas_batch: job \"%*s\" failed (%ui): %V",
                      (size_t) (p - buf), buf, job->code, &job->message);
    }

    result = json_pack("{s:s%, s:o, s:{}, s:f, s:i, s:b, s:o}",
                       "name", (char *) job->name.data, job->name.len,
                       "html", html ? html : json_null(),
                       "meta",
                       "duration", (double) job->duration / 1000,
                       "statusCode", (int) job->code,
                       "success", html != NULL,
                       "error", error ? error : json_null());

    return result;
}


/* Hypernova's stack: the lines of Error.stack, split at "\n    " */

static json_t *
ngx_faas_batch_stack(ngx_faas_batch_job_t *job)
{
    u_char  *p, *last, *next;
    json_t  *stack;

    stack = json_array();
    if (stack == NULL) {
        return NULL;
    }

    p = job->stack.data;
    last = p + job->stack.len;

    while (p < last) {
        next = ngx_strlcasestrn(p, last, (u_char *) "\n    ", 5 - 1);

        if (next == NULL) {
            next = last;
        }

        if (json_array_append_new(stack, json_stringn((char *) p, next - p))
            != 0)
        {
            json_decref(stack);
            return NULL;
        }

        p = (next == last) ? last : next + 5;
    }

    return stack;
}


/*
 * Hypernova's serialize(): the markup in a div, then the data in a
 * script tag, both marked with the key and a fresh UUID (version 4)
 */

static ngx_int_t
ngx_faas_batch_wrap(ngx_http_request_t *r, ngx_faas_batch_job_t *job,
    ngx_str_t *html)
{
    u_char      *p, id[36];
    uint32_t     rnd[4];
    ngx_uint_t   i;

    static const char  div[] = "<div data-hypernova-key=\"";
    static const char  script[] = "</div>\n<script type=\"application/json\""
                                  " data-hypernova-key=\"";
    static const char  ida[] = "\" data-hypernova-id=\"";
    static const char  open[] = "\"><!--";
    static const char  close[] = "--></script>";

    for (i = 0; i < 4; i++) {
        rnd[i] = (uint32_t) ngx_random() ^ ((uint32_t) ngx_random() << 16);
    }

    rnd[1] = (rnd[1] & 0xffff0fff) | 0x00004000;   /* version 4 */
    rnd[2] = (rnd[2] & 0x3fffffff) | 0x80000000;   /* variant 10 */

    ngx_sprintf(id, "%08xD-%04xD-%04xD-%04xD-%04xD%08xD",
                rnd[0], rnd[1] >> 16, rnd[1] & 0xffff, rnd[2] >> 16,
                rnd[2] & 0xffff, rnd[3]);

    /* the div, key, id, "> and markup; the script, key, id and data */

    html->len = sizeof(div) - 1 + job->key.len + sizeof(ida) - 1 + 36
                + sizeof("\">") - 1 + job->html.len
                + sizeof(script) - 1 + job->key.len + sizeof(ida) - 1 + 36
                + sizeof(open) - 1 + job->data.len + sizeof(close) - 1;

    html->data = ngx_pnalloc(r->pool, html->len);
    if (html->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(html->data, div, sizeof(div) - 1);
    p = ngx_cpymem(p, job->key.data, job->key.len);
    p = ngx_cpymem(p, ida, sizeof(ida) - 1);
    p = ngx_cpymem(p, id, 36);
    *p++ = '"';
    *p++ = '>';
    p = ngx_cpymem(p, job->html.data, job->html.len);
    p = ngx_cpymem(p, script, sizeof(script) - 1);
    p = ngx_cpymem(p, job->key.data, job->key.len);
    p = ngx_cpymem(p, ida, sizeof(ida) - 1);
    p = ngx_cpymem(p, id, 36);
    p = ngx_cpymem(p, open, sizeof(open) - 1);
    p = ngx_cpymem(p, job->data.data, job->data.len);
    p = ngx_cpymem(p, close, sizeof(close) - 1);

    html->len = p - html->data;

    return NGX_OK;
}


/* a batch-level error: Hypernova's shape, with the status */

static ngx_int_t
ngx_faas_batch_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *message)
{
    json_t     *json;
    ngx_str_t   type, out;

    json = json_pack("{s:b, s:{s:s, s:s, s:[]}, s:{}}", "success", 0,
                     "error", "name", "Error", "message", message, "stack",
                     "results");
    if (json == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_faas_output_text(r, json, JSON_COMPACT, &out) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = status;
    ngx_str_set(&type, "application/json");

    return ngx_faas_output_body(r, &type, &out);
}


static void
ngx_faas_batch_cleanup(void *data)
{
    ngx_faas_batch_t *batch = data;

    if (batch->timer.timer_set) {
        ngx_del_timer(&batch->timer);
    }
}
