
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <signal.h>
#include <time.h>

#include "ngx_faas.h"
#include "ngx_faas_stats.h"
#include "ngx_faas_ticket.h"
#include "ngx_faas_watchdog.h"


/*
 * A render worker is killed when a call is still running half its budget
 * after its faas_timeout has passed: that is native code (a regular
 * expression, say) that Duktape's interrupt cannot reach, since the
 * interrupt ends any JavaScript at faas_timeout; the master starts a new
 * worker, the queue moves on. Only render workers have it: a front worker
 * killed would drop every connection it holds.
 *
 * The clock is the wall clock (CLOCK_MONOTONIC), as faas_timeout's is.
 * It was the worker's CPU time at twice the budget: on a loaded machine,
 * where a worker has a fraction of a core, that let a stuck call hold its
 * worker for seconds (600 ms of CPU were 2.5 s at a load of 9 on two
 * cores), and the requests behind it waited as long. A call past its
 * faas_timeout has failed either way; a worker that was only waiting for
 * a core when the timer fires dies where its interrupt would have ended
 * the call a little later, which costs a new worker instead of a heap.
 *
 * Before it dies the worker leaves word in shared memory: the function's
 * "killed" counter, and the ticket of the call marked killed with its run
 * time, so the front's admission learns how long it ran and a retry of the
 * request on another render worker is answered at once instead of run.
 */


static void ngx_faas_watchdog_handler(int signo);


static ngx_uint_t                  ngx_faas_watchdog_on;
static timer_t                     ngx_faas_watchdog_timer;

/* the call in progress: when it started, and its function's counters */
static uint64_t                    ngx_faas_watchdog_start;
static ngx_faas_stats_function_t  *ngx_faas_watchdog_function;


/* in a render worker's init_process */

ngx_int_t
ngx_faas_watchdog_init(ngx_cycle_t *cycle)
{
    struct sigevent   sev;
    struct sigaction  sa;

    ngx_memzero(&sa, sizeof(struct sigaction));
    sa.sa_handler = ngx_faas_watchdog_handler;
    sigemptyset(&sa.sa_mask);

    if (sigaction(SIGPROF, &sa, NULL) == -1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_errno,
                      "sigaction(SIGPROF) failed");
        return NGX_ERROR;
    }

    ngx_memzero(&sev, sizeof(struct sigevent));
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGPROF;

    if (timer_create(CLOCK_MONOTONIC, &sev, &ngx_faas_watchdog_timer) == -1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_errno,
                      "timer_create(CLOCK_MONOTONIC) failed");
        return NGX_ERROR;
    }

    ngx_faas_watchdog_on = 1;

    return NGX_OK;
}


/* around every call: budget 0 disarms it */

void
ngx_faas_watchdog_arm(ngx_msec_t budget, ngx_str_t *name)
{
    struct itimerspec  its;

    if (!ngx_faas_watchdog_on) {
        return;
    }

    ngx_faas_watchdog_function = NULL;

    if (budget && ngx_faas_stats_get()) {
        ngx_faas_watchdog_function = ngx_faas_stats_function(name);
        ngx_faas_watchdog_start = ngx_faas_now_us();
    }

    ngx_memzero(&its, sizeof(struct itimerspec));

    its.it_value.tv_sec = budget / 1000;
    its.it_value.tv_nsec = (budget % 1000) * 1000000;

    (void) timer_settime(ngx_faas_watchdog_timer, 0, &its, NULL);
}


/* a signal handler: nothing but async-signal-safe calls */

static void
ngx_faas_watchdog_handler(int signo)
{
    u_char      line[NGX_MAX_ERROR_STR], *p, digits[NGX_INT_T_LEN];
    size_t      n;
    uint64_t    run_time;
    ngx_pid_t   pid;
    ngx_fd_t    fd;

    static const char  msg[] = ": faas: render worker stuck in native code "
                               "past 1.5 times its faas_timeout, killed by "
                               "the watchdog; the master starts a new one\n";

    /* clock_gettime() is async-signal-safe, the rest atomic stores */

    run_time = ngx_faas_now_us() - ngx_faas_watchdog_start;

    if (ngx_faas_watchdog_function) {
        ngx_faas_stats_killed(ngx_faas_watchdog_function, run_time);
    }

    ngx_faas_ticket_kill(run_time);

    if (ngx_cycle == NULL || ngx_cycle->log == NULL
        || ngx_cycle->log->file == NULL)
    {
        (void) kill(getpid(), SIGKILL);
        return;
    }

    fd = ngx_cycle->log->file->fd;

    /* "2026/11/22 03:08:43 [alert] 1234#1234: faas: ..." by hand */

    p = ngx_cpymem(line, ngx_cached_err_log_time.data,
                   ngx_cached_err_log_time.len);
    p = ngx_cpymem(p, " [alert] ", 9);

    pid = getpid();
    n = 0;

    do {
        digits[n++] = (u_char) ('0' + pid % 10);
        pid /= 10;
    } while (pid && n < NGX_INT_T_LEN);

    while (n) {
        *p++ = digits[--n];
    }

    p = ngx_cpymem(p, msg, sizeof(msg) - 1);

    if (write(fd, line, p - line) == -1) {
        /* nowhere left to say it: the kill below is what matters */
    }

    (void) kill(getpid(), SIGKILL);
}
