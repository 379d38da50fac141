
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_ctx.h"
#include "ngx_faas_render.h"
#include "ngx_faas_stats.h"
#include "ngx_faas_ticket.h"
#include "ngx_faas_watchdog.h"


/*
 * The render pool: faas_render_workers N reserves the last N workers.
 * They accept only on render listeners (servers with faas_render on), and
 * one connection at a time: a render worker stops polling the listener
 * while a connection is open, so waiting connections stay in the kernel's
 * listen queue until the first render worker is free. Front workers never
 * accept on render listeners.
 *
 * Which worker polls which listener is decided in init_process, before
 * ngx_event_core_module's (see ngx_module_order in config): a listener a
 * worker must not poll is made to look like another worker's reuseport
 * clone, which ngx_event_process_init() skips. The listener must not
 * really be reuseport: all render workers share its one queue.
 */


static ngx_int_t ngx_faas_render_listener(ngx_listening_t *ls);
#if (NGX_HAVE_UNIX_DOMAIN)
static ngx_int_t ngx_faas_render_socket_dir(ngx_cycle_t *cycle,
    ngx_listening_t *ls);
#endif
static void ngx_faas_render_init_connection(ngx_connection_t *c);
static void ngx_faas_render_connection_done(void *data);
static void ngx_faas_render_ticket_end(void *data);


/* the accepting handler of render listeners, before we wrapped it */
static ngx_connection_handler_pt  ngx_faas_render_next_handler;
static ngx_uint_t                 ngx_faas_render_worker;


ngx_uint_t
ngx_faas_render_workers(ngx_cycle_t *cycle)
{
    ngx_faas_core_conf_t  *fccf;

    fccf = (ngx_faas_core_conf_t *) ngx_get_conf(cycle->conf_ctx,
                                                 ngx_faas_core_module);

    return fccf ? (ngx_uint_t) fccf->render_workers : 0;
}


/* POST_READ phase: one request per render connection, its ticket claimed */

ngx_int_t
ngx_faas_render_post_read(ngx_http_request_t *r)
{
    u_char               *dash, *end;
    uint64_t              seq, check;
    ngx_int_t             rc;
    ngx_uint_t            i;
    ngx_list_part_t      *part;
    ngx_table_elt_t      *h;
    ngx_faas_ctx_t       *ctx;
    ngx_pool_cleanup_t   *cln;
    ngx_faas_srv_conf_t  *fscf;

    fscf = ngx_http_get_module_srv_conf(r, ngx_faas_module);

    if (!fscf->render || r != r->main) {
        return NGX_DECLINED;
    }

    /* a kept-alive connection would hold this worker from the queue */

    r->keepalive = 0;

    /* a client may have sent a ticket of its own: the valid one counts */

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NGX_DECLINED;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len != sizeof(NGX_FAAS_TICKET_HEADER) - 1
            || ngx_strncasecmp(h[i].lowcase_key,
                               (u_char *) NGX_FAAS_TICKET_HEADER,
                               h[i].key.len)
               != 0)
        {
            continue;
        }

        end = h[i].value.data + h[i].value.len;
        dash = ngx_strlchr(h[i].value.data, end, '-');

        if (dash == NULL) {
            continue;
        }

        seq = (uint64_t) ngx_hextoi(h[i].value.data, dash - h[i].value.data);
        check = (uint64_t) ngx_hextoi(dash + 1, end - dash - 1);

        ctx = ngx_faas_ctx_get(r);
        if (ctx == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        rc = ngx_faas_ticket_start(seq, check, &ctx->queue_time);

        if (rc == NGX_OK) {
            ctx->ticket = seq;
            ctx->claimed = 1;

            /* a request that ran no function ends its ticket too */

            cln = ngx_pool_cleanup_add(r->pool, 0);
            if (cln == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            cln->handler = ngx_faas_render_ticket_end;
            cln->data = ctx;

            return NGX_DECLINED;
        }

        if (rc == NGX_BUSY) {
            /* the handler answers it without running the function */
            ctx->ticket = seq;
            ctx->poisoned = 1;
            return NGX_DECLINED;
        }

        if (rc == NGX_ABORT) {
            /* the front gave up on it while it waited: nobody to answer */
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "faas: request left before a render worker "
                          "took it");
            return NGX_HTTP_CLOSE;
        }
    }
}


/*
 * A function whose last call ran into a limit (faas_timeout, the watchdog,
 * faas_memory) is likely to hold a render worker that long again, and the
 * requests behind it wait as long when it holds the last free one: with
 * 1 in 50 calls stuck, two render workers were both stuck most of the time
 * and ordinary requests waited the whole faas_timeout or the watchdog.
 * So at most N - 1 of N render workers run such late calls; a late call
 * that would take the last one is answered 503 at once instead of run
 * (the front's error_page gives its fallback). A worker counts as running
 * a late call when its function is marked late, or when its call has gone
 * past its faas_timeout (the first catastrophic call of a function is not
 * marked yet), and so does the slot of a worker the watchdog killed until
 * its successor takes it. A call of the function that runs to its end
 * within its limits clears the mark; until then calls of a late function
 * run one fewer at a time than there are render workers, its own included.
 * One render worker decides nothing: there is no other to keep free.
 */

ngx_int_t
ngx_faas_render_defer(ngx_str_t *name)
{
    uint64_t                    now;
    ngx_uint_t                  i, n, late, same;
    ngx_atomic_uint_t           running;
    ngx_faas_stats_t           *st;
    ngx_faas_stats_worker_t    *w, *me;
    ngx_faas_stats_function_t  *f, *g;

    n = ngx_faas_render_workers((ngx_cycle_t *) ngx_cycle);

    if (!ngx_faas_render_worker || n < 2) {
        return 0;
    }

    st = ngx_faas_stats_get();
    me = ngx_faas_stats_worker();

    if (st == NULL || me == NULL) {
        return 0;
    }

    f = ngx_faas_stats_function(name);
    if (f == NULL) {
        return 0;
    }

    now = ngx_faas_now_us();
    late = 0;
    same = 0;

    for (i = 0; i < NGX_FAAS_STATS_WORKERS; i++) {
        w = &st->worker[i];
        running = w->running;

        if (w == me || !w->render || !w->busy || running == 0
            || running > NGX_FAAS_STATS_FUNCTIONS)
        {
            continue;
        }

        g = &st->functions[running - 1];

        /*
         * past its deadline only: a worker killed by hand (kill -9) in an
         * ordinary call leaves its slot as it was until its successor
         * starts, and must not make that call look stuck
         */

        if (g->late
            || (now > w->deadline && kill((ngx_pid_t) w->pid, 0) == 0))
        {
            late++;
            same |= (g == f);
        }
    }

    return (f->late || same) && late >= n - 1;
}


static void
ngx_faas_render_ticket_end(void *data)
{
    ngx_faas_ctx_t *ctx = data;

    ngx_faas_ticket_end(ctx->ticket);
}


ngx_int_t
ngx_faas_render_check_listeners(ngx_cycle_t *cycle, ngx_faas_core_conf_t *fccf)
{
    ngx_uint_t             i, n;
    ngx_event_conf_t      *ecf;
    ngx_listening_t       *ls;
    ngx_faas_main_conf_t  *fmcf;

    n = 0;
    ls = cycle->listening.elts;

    for (i = 0; i < cycle->listening.nelts; i++) {
        if (!ngx_faas_render_listener(&ls[i])) {

            /*
             * a front listener's reuseport clones are one per worker,
             * render workers' included, and render workers never poll
             * front listeners: the kernel would queue a share of the
             * front's connections where nobody accepts them
             */

            if (ls[i].reuseport && fccf->render_workers) {
                ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                              "listener \"%V\" must not be \"reuseport\" "
                              "with \"faas_render_workers\": render "
                              "workers would hold a share of its "
                              "connections and never accept them",
                              &ls[i].addr_text);
                return NGX_ERROR;
            }

            continue;
        }

        if (ls[i].reuseport) {
            ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                          "render listener \"%V\" must not be \"reuseport\": "
                          "render workers share one queue",
                          &ls[i].addr_text);
            return NGX_ERROR;
        }

#if (NGX_HAVE_UNIX_DOMAIN)
        if (ls[i].sockaddr->sa_family == AF_UNIX
            && ngx_faas_render_socket_dir(cycle, &ls[i]) != NGX_OK)
        {
            return NGX_ERROR;
        }
#endif

        n++;
    }

    fmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_faas_module);

    if (fccf->render_workers == 0) {
        if (!fccf->render_pool && fmcf && fmcf->admits) {
            ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                          "\"faas_admit\" needs \"faas_render_workers\"");
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    if (n == 0) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "\"faas_render_workers\" is set but no server "
                      "has \"faas_render on\"");
        return NGX_ERROR;
    }

    ecf = ngx_event_get_conf(cycle->conf_ctx, ngx_event_core_module);

    if (ecf && ecf->accept_mutex == 1) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "\"faas_render_workers\" needs \"accept_mutex off\"");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* runs before ngx_event_core_module's init_process, see config */

ngx_int_t
ngx_faas_render_init_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                render, n;
    ngx_uint_t                i;
    ngx_core_conf_t          *ccf;
    ngx_listening_t          *ls;
    ngx_faas_stats_worker_t  *w;

    /*
     * every worker, render or not, and a single process takes its slot of
     * statistics: faas_status shows every worker's pid
     */

    w = ngx_faas_stats_worker_take();

    n = ngx_faas_render_workers(cycle);

    if (n == 0 || ngx_process != NGX_PROCESS_WORKER) {
        /* no pool, or a single process: it serves everything */
        return NGX_OK;
    }

    ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx, ngx_core_module);

    ngx_faas_render_worker = (ngx_worker >= (ngx_uint_t)
                                            (ccf->worker_processes - n));

    ls = cycle->listening.elts;

    for (i = 0; i < cycle->listening.nelts; i++) {
        render = ngx_faas_render_listener(&ls[i]);

        if (render != ngx_faas_render_worker) {
            /* not ours to poll: ngx_event_process_init() skips it */
            ls[i].reuseport = 1;
            ls[i].worker = (ngx_uint_t) -1;
            continue;
        }

        if (render) {
            /*
             * as "this worker's own reuseport clone" it is added without
             * EPOLLEXCLUSIVE, and nginx's reordering of exclusive accept
             * events leaves alone the event we delete and add ourselves
             */
            ls[i].reuseport = 1;
            ls[i].worker = ngx_worker;

            ngx_faas_render_next_handler = ls[i].handler;
            ls[i].handler = ngx_faas_render_init_connection;
        }
    }

    if (w) {
        w->render = ngx_faas_render_worker;
    }

    if (!ngx_faas_render_worker) {
        return NGX_OK;
    }

    if (ngx_faas_watchdog_init(cycle) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                  "faas: worker %ui is a render worker", ngx_worker);

    return NGX_OK;
}


/* an HTTP listener whose default server has faas_render on */

static ngx_int_t
ngx_faas_render_listener(ngx_listening_t *ls)
{
    ngx_uint_t                 i;
    ngx_http_port_t           *port;
    ngx_http_in_addr_t        *addr;
    ngx_faas_srv_conf_t       *fscf;
    ngx_http_core_srv_conf_t  *cscf;
#if (NGX_HAVE_INET6)
    ngx_http_in6_addr_t       *addr6;
#endif

    if (ls->handler != ngx_http_init_connection
        && ls->handler != ngx_faas_render_init_connection)
    {
        return 0;
    }

    port = ls->servers;

    for (i = 0; i < port->naddrs; i++) {

        switch (ls->sockaddr->sa_family) {

#if (NGX_HAVE_INET6)
        case AF_INET6:
            addr6 = port->addrs;
            cscf = addr6[i].conf.default_server;
            break;
#endif

        default:
            addr = port->addrs;
            cscf = addr[i].conf.default_server;
            break;
        }

        fscf = cscf->ctx->srv_conf[ngx_faas_module.ctx_index];

        if (fscf->render == 1) {
            return 1;
        }
    }

    return 0;
}


#if (NGX_HAVE_UNIX_DOMAIN)

/*
 * A unix render socket in a directory that does not exist (/run/nginx-faas
 * on a fresh machine) could not be bound. The directory becomes one of
 * the cycle's paths, which the master creates before it opens the
 * listening sockets, as it creates the temporary directories: mode 0700,
 * owned by the workers' user, who must reach the socket. A directory that
 * exists (/run, /tmp) is left as it is.
 */

static ngx_int_t
ngx_faas_render_socket_dir(ngx_cycle_t *cycle, ngx_listening_t *ls)
{
    u_char              *dir, *p;
    size_t               len;
    ngx_uint_t           i;
    ngx_path_t          *path, **paths;
    ngx_file_info_t      fi;
    struct sockaddr_un  *saun;

    saun = (struct sockaddr_un *) ls->sockaddr;

    p = (u_char *) saun->sun_path;
    len = ngx_strnlen(p, sizeof(saun->sun_path));

    while (len && p[len - 1] != '/') {
        len--;
    }

    /* the root, or no directory part */

    if (len <= 1) {
        return NGX_OK;
    }

    len--;

    dir = ngx_pnalloc(cycle->pool, len + 1);
    if (dir == NULL) {
        return NGX_ERROR;
    }

    ngx_cpystrn(dir, p, len + 1);

    if (ngx_file_info(dir, &fi) != NGX_FILE_ERROR) {
        return NGX_OK;
    }

    paths = cycle->paths.elts;

    for (i = 0; i < cycle->paths.nelts; i++) {
        if (paths[i]->name.len == len
            && ngx_strncmp(paths[i]->name.data, dir, len) == 0)
        {
            return NGX_OK;
        }
    }

    /* ngx_create_paths() makes one level: the parent must exist */

    p = dir + len;

    while (p > dir && *(p - 1) != '/') {
        p--;
    }

    if (p - dir > 1) {
        *(p - 1) = '\0';

        if (ngx_file_info(dir, &fi) == NGX_FILE_ERROR) {
            *(p - 1) = '/';
            ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                          "render listener \"%V\": create its directory "
                          "\"%s\" (its parent does not exist either)",
                          &ls->addr_text, dir);
            return NGX_ERROR;
        }

        *(p - 1) = '/';
    }

    path = ngx_pcalloc(cycle->pool, sizeof(ngx_path_t));
    if (path == NULL) {
        return NGX_ERROR;
    }

    path->name.data = dir;
    path->name.len = len;

    paths = ngx_array_push(&cycle->paths);
    if (paths == NULL) {
        return NGX_ERROR;
    }

    *paths = path;

    return NGX_OK;
}

#endif


/* one connection at a time: stop accepting until this one is closed */

static void
ngx_faas_render_init_connection(ngx_connection_t *c)
{
    ngx_event_t              *rev;
    ngx_pool_cleanup_t       *cln;
    ngx_faas_stats_worker_t  *w;

    rev = c->listening->connection->read;

    if (rev->active) {
        (void) ngx_del_event(rev, NGX_READ_EVENT, 0);
    }

    /* multi_accept must not take a second one in this round either */
    rev->available = 0;

    w = ngx_faas_stats_worker();
    if (w) {
        w->busy = 1;
    }

    cln = ngx_pool_cleanup_add(c->pool, 0);

    if (cln) {
        cln->handler = ngx_faas_render_connection_done;
        cln->data = c->listening;

    } else {
        ngx_faas_render_connection_done(c->listening);
    }

    ngx_faas_render_next_handler(c);
}


static void
ngx_faas_render_connection_done(void *data)
{
    ngx_listening_t *ls = data;

    ngx_event_t              *rev;
    ngx_faas_stats_worker_t  *w;

    w = ngx_faas_stats_worker();
    if (w) {
        w->busy = 0;
    }

    if (ngx_exiting || ngx_quit || ngx_terminate || ls->connection == NULL) {
        return;
    }

    rev = ls->connection->read;

    if (!rev->active) {
        (void) ngx_add_event(rev, NGX_READ_EVENT, 0);
    }
}
