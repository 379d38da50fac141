
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_console.h"
#include "ngx_faas_request.h"
#include "ngx_faas_trace.h"
#include "ngx_faas_vm.h"


static duk_ret_t ngx_faas_console_write(duk_context *duk);
static duk_ret_t ngx_faas_console_format(duk_context *duk, void *data);
static duk_ret_t ngx_faas_console_json(duk_context *duk, void *data);
static void ngx_faas_console_capture(ngx_faas_call_t *call, ngx_uint_t level,
    const char *msg, size_t len);


typedef struct {
    const char  *name;
    ngx_uint_t   level;
} ngx_faas_console_method_t;


/* one C function serves every method; the magic value is the log level */
static ngx_faas_console_method_t  ngx_faas_console_methods[] = {
    { "log", NGX_LOG_INFO },
    { "info", NGX_LOG_INFO },
    { "warn", NGX_LOG_WARN },
    { "error", NGX_LOG_ERR },
    { "debug", NGX_LOG_DEBUG },
    { NULL, 0 }
};


void
ngx_faas_console_init(duk_context *duk)
{
    ngx_faas_console_method_t  *m;

    duk_push_object(duk);

    for (m = ngx_faas_console_methods; m->name; m++) {
        duk_push_c_function(duk, ngx_faas_console_write, DUK_VARARGS);
        duk_set_magic(duk, -1, (duk_int_t) m->level);
        duk_put_prop_string(duk, -2, m->name);
    }

    duk_put_global_literal(duk, "console");
}


/*
 * console.info('a', {b: 1}) -> "[info] ... faas hello [<request id>]: a
 * {"b":1}" in the error log, at the level of the method
 */

static duk_ret_t
ngx_faas_console_write(duk_context *duk)
{
    size_t            len;
    u_char           *end;
    ngx_str_t         name, id;
    ngx_log_t        *log;
    ngx_uint_t        level;
    const char       *msg;
    ngx_faas_vm_t    *vm;
    ngx_faas_call_t  *call;
    u_char            text[NGX_MAX_ERROR_STR];

    level = (ngx_uint_t) duk_get_current_magic(duk);
    vm = ngx_faas_vm_from(duk);
    call = ngx_faas_vm_call(vm);

    if (call) {
        log = call->request->connection->log;
        name = call->name;
        id = *ngx_faas_request_id(call);

    } else {
        log = ngx_faas_vm_log(vm);
        ngx_str_set(&name, "-");
        ngx_str_set(&id, "-");
    }

    if (log->log_level < level && (call == NULL || call->logs == NULL)) {
        return 0;
    }

    if (duk_safe_call(duk, ngx_faas_console_format, NULL,
                      duk_get_top(duk), 1)
        != DUK_EXEC_SUCCESS)
    {
        /* a toString() that throws: its error is what gets logged */
        (void) duk_safe_to_string(duk, -1);
    }

    msg = duk_get_lstring(duk, -1, &len);

    /* a "\n" in what the client sent must not start a line in the log */

    end = ngx_faas_vm_escape(text, text + sizeof(text), (u_char *) msg, len);

    ngx_log_error(level, log, 0, "faas %V [%V]: %*s", &name, &id,
                  end - text, text);

    if (call && call->logs) {
        ngx_faas_console_capture(call, level, msg, len);
    }

    return 0;
}


/* the arguments joined by spaces: strings as they are, objects as JSON */

static duk_ret_t
ngx_faas_console_format(duk_context *duk, void *data)
{
    duk_idx_t  i, n;

    n = duk_get_top(duk);

    for (i = 0; i < n; i++) {

        if (duk_is_error(duk, i)) {
            /* one log line, as the error lines of failed calls */
            ngx_faas_trace_push(duk, i, 1);
            duk_replace(duk, i);

        } else if (duk_is_object(duk, i) && !duk_is_function(duk, i)) {
            duk_dup(duk, i);

            /* a cyclic object is shown as [object Object] */

            if (duk_safe_call(duk, ngx_faas_console_json, NULL, 1, 1)
                == DUK_EXEC_SUCCESS
                && duk_is_string(duk, -1))
            {
                duk_replace(duk, i);

            } else {
                duk_pop(duk);
            }
        }

        (void) duk_to_string(duk, i);
    }

    duk_push_literal(duk, " ");
    duk_insert(duk, 0);
    duk_join(duk, n);

    return 1;
}


static duk_ret_t
ngx_faas_console_json(duk_context *duk, void *data)
{
    duk_json_encode(duk, -1);

    return 1;
}


static void
ngx_faas_console_capture(ngx_faas_call_t *call, ngx_uint_t level,
    const char *msg, size_t len)
{
    u_char     *p, *end;
    ngx_str_t  *line;

    static const char  *names[] = {
        "", "emerg", "alert", "crit", "error", "warn", "notice", "info",
        "debug"
    };

    line = ngx_array_push(call->logs);
    if (line == NULL) {
        return;
    }

    line->data = ngx_pnalloc(call->request->pool, len + sizeof("notice: "));
    if (line->data == NULL) {
        line->len = 0;
        return;
    }

    p = ngx_sprintf(line->data, "%s: ", names[level]);
    end = ngx_cpymem(p, msg, len);

    /* one header line each: no control characters */

    for ( /* void */ ; p < end; p++) {
        if (*p < ' ' || *p == 0x7f) {
            *p = ' ';
        }
    }

    line->len = end - line->data;
}
