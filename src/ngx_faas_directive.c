
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_call.h"
#include "ngx_faas_directive.h"
#include "ngx_faas_handler.h"
#include "ngx_faas_require.h"
#include "ngx_faas_schedule.h"
#include "ngx_faas_zone.h"


static ngx_int_t ngx_faas_compile(ngx_conf_t *cf, ngx_str_t *value,
    ngx_http_complex_value_t *cv);
static ngx_int_t ngx_faas_check_tree(char *buf, size_t len);


char *
ngx_faas_set_functions(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_loc_conf_t *flcf = conf;

    char             *real;
    u_char           *p;
    ngx_str_t        *value, path;
    ngx_file_info_t   fi;

    if (flcf->functions.data) {
        return "is duplicate";
    }

    value = cf->args->elts;
    path = value[1];

    if (ngx_conf_full_name(cf->cycle, &path, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    p = ngx_pnalloc(cf->pool, path.len + 1);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_cpystrn(p, path.data, path.len + 1);

    /* the app root is canonical, so that "inside the app" is a prefix test */

    real = realpath((char *) p, NULL);
    if (real == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "faas_functions \"%s\" cannot be opened", p);
        return NGX_CONF_ERROR;
    }

    flcf->functions.len = ngx_strlen(real);
    flcf->functions.data = ngx_pnalloc(cf->pool, flcf->functions.len + 1);
    if (flcf->functions.data == NULL) {
        free(real);
        return NGX_CONF_ERROR;
    }

    ngx_cpystrn(flcf->functions.data, (u_char *) real,
                flcf->functions.len + 1);
    free(real);

    if (ngx_file_info(flcf->functions.data, &fi) == NGX_FILE_ERROR
        || !ngx_is_dir(&fi))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "faas_functions \"%V\" is not a directory",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


char *
ngx_faas_set_pass(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_loc_conf_t *flcf = conf;

    ngx_str_t                 *value;
    ngx_http_core_loc_conf_t  *clcf;

    if (flcf->pass) {
        return "is duplicate";
    }

    value = cf->args->elts;

    flcf->pass = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
    if (flcf->pass == NULL
        || ngx_faas_compile(cf, &value[1], flcf->pass) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (flcf->pass->lengths == NULL
        && !ngx_faas_require_name_valid(&value[1]))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid function name \"%V\" in \"%V\" directive",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_faas_handler;

    return NGX_CONF_OK;
}


char *
ngx_faas_set_preload(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_loc_conf_t *flcf = conf;

    ngx_str_t              *value, *name;
    ngx_uint_t              i;
    ngx_faas_loc_conf_t   **slot;
    ngx_faas_main_conf_t   *fmcf;

    if (flcf->preload) {
        return "is duplicate";
    }

    flcf->preload = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                     sizeof(ngx_str_t));
    if (flcf->preload == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (!ngx_faas_require_name_valid(&value[i])) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid function name \"%V\" "
                               "in \"%V\" directive", &value[i], &cmd->name);
            return NGX_CONF_ERROR;
        }

        name = ngx_array_push(flcf->preload);
        if (name == NULL) {
            return NGX_CONF_ERROR;
        }

        *name = value[i];
    }

    /* compiled in postconfiguration, once faas_functions is known */

    fmcf = ngx_http_conf_get_module_main_conf(cf, ngx_faas_module);

    slot = ngx_array_push(&fmcf->preloads);
    if (slot == NULL) {
        return NGX_CONF_ERROR;
    }

    *slot = flcf;

    return NGX_CONF_OK;
}


char *
ngx_faas_set_env(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_loc_conf_t *flcf = conf;

    ngx_str_t       *value;
    ngx_uint_t       i;
    ngx_faas_env_t  *env;

    value = cf->args->elts;

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "empty name in \"%V\" directive", &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (flcf->env == NULL) {
        flcf->env = ngx_array_create(cf->pool, 4, sizeof(ngx_faas_env_t));
        if (flcf->env == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    env = flcf->env->elts;

    for (i = 0; i < flcf->env->nelts; i++) {
        if (env[i].name.len == value[1].len
            && ngx_strncmp(env[i].name.data, value[1].data, value[1].len)
               == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "duplicate name \"%V\" in \"%V\" directive",
                               &value[1], &cmd->name);
            return NGX_CONF_ERROR;
        }
    }

    env = ngx_array_push(flcf->env);
    if (env == NULL) {
        return NGX_CONF_ERROR;
    }

    env->name = value[1];

    if (ngx_faas_compile(cf, &value[2], &env->value) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * faas_fetch_map URL-PREFIX URI-PREFIX: fetch() of an absolute URL that
 * starts with the first goes to the location of the second (no open
 * proxy: any other absolute URL is refused)
 */

char *
ngx_faas_set_fetch_map(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_loc_conf_t *flcf = conf;

    u_char        *p;
    ngx_str_t     *value;
    ngx_keyval_t  *kv;

    value = cf->args->elts;

    p = ngx_strlcasestrn(value[1].data, value[1].data + value[1].len,
                         (u_char *) "://", 3 - 1);

    if (p == NULL || p == value[1].data
        || p + 3 == value[1].data + value[1].len)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid URL prefix \"%V\" in \"%V\" directive, "
                           "it must be scheme://host...", &value[1],
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (value[2].len == 0 || value[2].data[0] != '/') {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid URI prefix \"%V\" in \"%V\" directive, "
                           "it must start with \"/\"", &value[2],
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (flcf->fetch_map == NULL) {
        flcf->fetch_map = ngx_array_create(cf->pool, 2, sizeof(ngx_keyval_t));
        if (flcf->fetch_map == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    kv = ngx_array_push(flcf->fetch_map);
    if (kv == NULL) {
        return NGX_CONF_ERROR;
    }

    kv->key = value[1];
    kv->value = value[2];

    return NGX_CONF_OK;
}


char *
ngx_faas_set_timeout(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_loc_conf_t *flcf = conf;

    ngx_str_t  *value;
    ngx_int_t   ms;

    if (flcf->timeout != NGX_CONF_UNSET_MSEC) {
        return "is duplicate";
    }

    value = cf->args->elts;

    ms = ngx_parse_time(&value[1], 0);

    if (ms == NGX_ERROR || ms == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" directive, "
                           "it must be a time greater than zero",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    flcf->timeout = (ngx_msec_t) ms;

    return NGX_CONF_OK;
}


char *
ngx_faas_set_memory(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_loc_conf_t *flcf = conf;

    ssize_t     size;
    ngx_str_t  *value;

    if (flcf->memory != NGX_CONF_UNSET_SIZE) {
        return "is duplicate";
    }

    value = cf->args->elts;

    size = ngx_parse_size(&value[1]);

    if (size == NGX_ERROR || size < NGX_FAAS_MIN_MEMORY) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" directive, "
                           "it must be a size of at least %uzk",
                           &value[1], &cmd->name,
                           (size_t) NGX_FAAS_MIN_MEMORY / 1024);
        return NGX_CONF_ERROR;
    }

    flcf->memory = (size_t) size;

    return NGX_CONF_OK;
}


/*
 * faas_schedule INTERVAL NAME: run NAME of this location's app every
 * INTERVAL in one worker; checked once the locations are merged
 */

char *
ngx_faas_set_schedule(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_loc_conf_t *flcf = conf;

    ngx_str_t              *value;
    ngx_msec_t              interval;
    ngx_faas_schedule_t   **sc;
    ngx_faas_main_conf_t   *fmcf;

    value = cf->args->elts;

    interval = ngx_parse_time(&value[1], 0);

    if (interval == (ngx_msec_t) NGX_ERROR || interval == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" directive, "
                           "it must be a time greater than zero",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (!ngx_faas_require_name_valid(&value[2])) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid function name \"%V\" in \"%V\" "
                           "directive", &value[2], &cmd->name);
        return NGX_CONF_ERROR;
    }

    fmcf = ngx_http_conf_get_module_main_conf(cf, ngx_faas_module);

    sc = ngx_array_push(&fmcf->schedules);
    if (sc == NULL) {
        return NGX_CONF_ERROR;
    }

    *sc = ngx_faas_schedule_add(cf, flcf, interval, &value[2]);
    if (*sc == NULL) {
        return NGX_CONF_ERROR;
    }

    fmcf->used = 1;

    return NGX_CONF_OK;
}


/*
 * faas_shared NAME SIZE: a zone of values shared by the workers; NAME is
 * what functions write after "shared.", so it is an identifier
 */

char *
ngx_faas_set_shared(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_main_conf_t *fmcf = conf;

    ssize_t            size;
    ngx_str_t         *value;
    ngx_uint_t         i;
    ngx_faas_zone_t  **zone;

    value = cf->args->elts;

    for (i = 0; i < value[1].len; i++) {
        if (!(value[1].data[i] == '_' || value[1].data[i] == '$'
              || (value[1].data[i] >= 'a' && value[1].data[i] <= 'z')
              || (value[1].data[i] >= 'A' && value[1].data[i] <= 'Z')
              || (i && value[1].data[i] >= '0' && value[1].data[i] <= '9')))
        {
            break;
        }
    }

    if (value[1].len == 0 || value[1].len > 64 || i < value[1].len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone name \"%V\" in \"%V\" directive, "
                           "it must be a JavaScript identifier of up to "
                           "64 characters", &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    size = ngx_parse_size(&value[2]);

    if (size == NGX_ERROR || size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" directive, "
                           "it must be a size of at least %uzk",
                           &value[2], &cmd->name,
                           (size_t) 8 * ngx_pagesize / 1024);
        return NGX_CONF_ERROR;
    }

    zone = ngx_array_push(&fmcf->zones);
    if (zone == NULL) {
        return NGX_CONF_ERROR;
    }

    *zone = ngx_faas_zone_add(cf, &value[1], (size_t) size);
    if (*zone == NULL) {
        return NGX_CONF_ERROR;
    }

    fmcf->used = 1;

    return NGX_CONF_OK;
}


/* faas_render_workers N | P%: resolved against worker_processes later */

char *
ngx_faas_set_render_workers(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_core_conf_t *fccf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (fccf->render_workers != NGX_CONF_UNSET
        || fccf->render_share != NGX_CONF_UNSET)
    {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len > 1 && value[1].data[value[1].len - 1] == '%') {
        n = ngx_atoi(value[1].data, value[1].len - 1);

        if (n != NGX_ERROR && n <= 100) {
            fccf->render_share = n;
            return NGX_CONF_OK;
        }

    } else {
        n = ngx_atoi(value[1].data, value[1].len);

        if (n != NGX_ERROR) {
            fccf->render_workers = n;
            return NGX_CONF_OK;
        }
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\" in \"%V\" directive, "
                       "it must be a number of workers or a share "
                       "of them from 0%% to 100%%",
                       &value[1], &cmd->name);

    return NGX_CONF_ERROR;
}


static ngx_int_t
ngx_faas_compile(ngx_conf_t *cf, ngx_str_t *value,
    ngx_http_complex_value_t *cv)
{
    ngx_http_compile_complex_value_t  ccv;

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = value;
    ccv.complex_value = cv;

    return ngx_http_compile_complex_value(&ccv);
}


ngx_faas_app_t *
ngx_faas_app_get(ngx_conf_t *cf, ngx_str_t *root, size_t memory)
{
    ngx_uint_t              i;
    ngx_faas_app_t         *app, **slot;
    ngx_faas_main_conf_t   *fmcf;

    fmcf = ngx_http_conf_get_module_main_conf(cf, ngx_faas_module);

    slot = fmcf->apps.elts;

    for (i = 0; i < fmcf->apps.nelts; i++) {
        app = slot[i];

        if (app->memory == memory
            && app->root.len == root->len
            && ngx_strncmp(app->root.data, root->data, root->len) == 0)
        {
            return app;
        }
    }

    app = ngx_pcalloc(cf->pool, sizeof(ngx_faas_app_t));
    if (app == NULL) {
        return NULL;
    }

    app->root = *root;
    app->memory = memory;

    if (ngx_array_init(&app->preload, cf->pool, 4, sizeof(ngx_str_t))
        != NGX_OK)
    {
        return NULL;
    }

    slot = ngx_array_push(&fmcf->apps);
    if (slot == NULL) {
        return NULL;
    }

    *slot = app;

    return app;
}


/*
 * nginx -t: every faas_preload names functions that exist and compile, in
 * the faas_functions of its level, whether a location uses them or not
 */

ngx_int_t
ngx_faas_init_preloads(ngx_conf_t *cf, ngx_faas_main_conf_t *fmcf)
{
    ngx_str_t             *name;
    ngx_uint_t             i, j;
    ngx_faas_app_t         app;
    ngx_faas_loc_conf_t  **flcf;

    flcf = fmcf->preloads.elts;

    for (i = 0; i < fmcf->preloads.nelts; i++) {

        if (flcf[i]->functions.len == 0) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "\"faas_preload\" needs \"faas_functions\" "
                          "in the same or an enclosing block");
            return NGX_ERROR;
        }

        /* only to compile in: a heap no request will use */

        ngx_memzero(&app, sizeof(ngx_faas_app_t));
        app.root = flcf[i]->functions;
        app.memory = NGX_FAAS_DEFAULT_MEMORY;

        name = flcf[i]->preload->elts;

        for (j = 0; j < flcf[i]->preload->nelts; j++) {
            if (ngx_faas_call_check(&app, &name[j], cf->log) != NGX_OK) {
                return NGX_ERROR;
            }
        }
    }

    return NGX_OK;
}


/*
 * called by merge for a location with faas_pass: the functions preloaded
 * at its level or above go into the heap it uses (an unmerged level does
 * not know its heap: faas_memory may be set further down)
 */

ngx_int_t
ngx_faas_preload_app(ngx_conf_t *cf, ngx_faas_loc_conf_t *flcf)
{
    ngx_str_t       *name, *have, *slot;
    ngx_uint_t       i, j;
    ngx_faas_app_t  *app;

    app = flcf->app;
    app->preload_timeout = ngx_max(app->preload_timeout, flcf->timeout);

    name = flcf->preload->elts;

    for (i = 0; i < flcf->preload->nelts; i++) {

        have = app->preload.elts;

        for (j = 0; j < app->preload.nelts; j++) {
            if (have[j].len == name[i].len
                && ngx_strncmp(have[j].data, name[i].data, name[i].len) == 0)
            {
                break;
            }
        }

        if (j < app->preload.nelts) {
            continue;
        }

        slot = ngx_array_push(&app->preload);
        if (slot == NULL) {
            return NGX_ERROR;
        }

        *slot = name[i];
    }

    return NGX_OK;
}


/*
 * nginx -t as root: the worker user must be able to read every function,
 * or each request would fail. A child takes the worker's user and group
 * (as the workers do) and reads the directories and opens the files;
 * what it cannot is reported through a pipe, "errno path"
 */

ngx_int_t
ngx_faas_check_readable(ngx_cycle_t *cycle, ngx_faas_main_conf_t *fmcf)
{
    int               fd[2], status;
    char              buf[PATH_MAX + NGX_INT_T_LEN + 2], *path;
    char              name[PATH_MAX];
    ssize_t           n;
    ngx_err_t         err;
    ngx_pid_t         pid;
    ngx_uint_t        i;
    ngx_faas_app_t  **app;
    ngx_core_conf_t  *ccf;

    ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx, ngx_core_module);
    path = name;

    if (geteuid() != 0 || ccf->user == 0
        || ccf->user == (ngx_uid_t) NGX_CONF_UNSET_UINT
        || fmcf->apps.nelts == 0)
    {
        return NGX_OK;
    }

    if (pipe(fd) == -1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_errno, "pipe() failed");
        return NGX_ERROR;
    }

    pid = fork();

    if (pid == -1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_errno, "fork() failed");
        (void) close(fd[0]);
        (void) close(fd[1]);
        return NGX_ERROR;
    }

    if (pid == 0) {
        (void) close(fd[0]);

        err = 0;
        ngx_cpystrn((u_char *) path, (u_char *) "-", PATH_MAX);

        if (setgid(ccf->group) == -1
            || initgroups(ccf->username, ccf->group) == -1
            || setuid(ccf->user) == -1)
        {
            err = ngx_errno;

        } else {
            app = fmcf->apps.elts;

            for (i = 0; i < fmcf->apps.nelts; i++) {
                ngx_memcpy(path, app[i]->root.data, app[i]->root.len);
                path[app[i]->root.len] = '\0';

                if (ngx_faas_check_tree(path, app[i]->root.len) != NGX_OK) {
                    err = ngx_errno;
                    break;
                }
            }
        }

        if (err) {
            n = ngx_sprintf((u_char *) buf, "%d %s", err, path)
                - (u_char *) buf;
            (void) write(fd[1], buf, n);
        }

        _exit(0);
    }

    (void) close(fd[1]);

    n = read(fd[0], buf, sizeof(buf) - 1);
    (void) close(fd[0]);

    while (waitpid(pid, &status, 0) == -1 && ngx_errno == NGX_EINTR) {
        /* void */
    }

    if (n <= 0) {
        return NGX_OK;
    }

    buf[n] = '\0';
    path = (char *) ngx_strlchr((u_char *) buf, (u_char *) buf + n, ' ');

    if (path == NULL) {
        return NGX_ERROR;
    }

    err = ngx_atoi((u_char *) buf, path - buf);
    path++;

    ngx_log_error(NGX_LOG_EMERG, cycle->log, err,
                  "faas_functions: \"%s\" cannot be read by the worker "
                  "user \"%s\"", path, ccf->username);

    return NGX_ERROR;
}


/*
 * buf holds a path of len bytes, room for PATH_MAX; on failure it holds
 * the path that failed, errno why. A symbolic link is opened, not
 * followed down: a link to a parent directory would never end
 */

static ngx_int_t
ngx_faas_check_tree(char *buf, size_t len)
{
    int             fd;
    DIR            *dir;
    size_t          n;
    ngx_err_t       err;
    struct dirent  *de;
    struct stat     st;

    if (lstat(buf, &st) == -1) {
        return NGX_ERROR;
    }

    if (!S_ISDIR(st.st_mode)) {
        fd = open(buf, O_RDONLY);
        if (fd == -1) {
            return NGX_ERROR;
        }

        (void) close(fd);
        return NGX_OK;
    }

    dir = opendir(buf);
    if (dir == NULL) {
        return NGX_ERROR;
    }

    while ((de = readdir(dir)) != NULL) {

        if (ngx_strcmp(de->d_name, ".") == 0
            || ngx_strcmp(de->d_name, "..") == 0)
        {
            continue;
        }

        n = ngx_strlen(de->d_name);

        if (len + 1 + n >= PATH_MAX) {
            continue;
        }

        buf[len] = '/';
        ngx_memcpy(buf + len + 1, de->d_name, n + 1);

        if (ngx_faas_check_tree(buf, len + 1 + n) != NGX_OK) {
            err = ngx_errno;
            (void) closedir(dir);
            ngx_set_errno(err);
            return NGX_ERROR;
        }
    }

    (void) closedir(dir);
    buf[len] = '\0';

    return NGX_OK;
}
