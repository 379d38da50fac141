// make deploy-check: every document of the manifests given must pass the
// schema of its kind (kubernetes-models, the OpenAPI schemas of the
// Kubernetes API; @kubernetes-models/prometheus-operator for PodMonitor),
// and the manifests must agree with each other and with nginx.conf.
//
//   node check.js DIR     the *.yaml of DIR, and DIR/nginx.conf

'use strict';

var fs = require('fs');
var path = require('path');
var YAML = require('yaml');

var dir = process.argv[2];
var failed = 0;
var docs = [];

function fail(where, msg) {
    console.error(where + ': ' + msg);
    failed++;
}

function model(apiVersion, kind) {
    var mod;

    if (apiVersion.indexOf('monitoring.coreos.com/') === 0) {
        mod = '@kubernetes-models/prometheus-operator/' + apiVersion;
    } else {
        mod = 'kubernetes-models/' + apiVersion;
    }

    try {
        return require(mod)[kind];
    } catch (e) {
        return undefined;
    }
}

fs.readdirSync(dir).filter(function (f) {
    return /\.ya?ml$/.test(f);
}).sort().forEach(function (f) {
    var all = YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f),
                                                     'utf8'));

    all.forEach(function (d, i) {
        var where = f + '#' + (i + 1), obj, M;

        if (d.errors.length) {
            fail(where, d.errors[0].message);
            return;
        }

        obj = d.toJS();
        M = model(obj.apiVersion || '', obj.kind || '');

        if (!M) {
            fail(where, 'no schema for ' + obj.apiVersion + ' ' + obj.kind);
            return;
        }

        try {
            new M(obj).validate();
        } catch (e) {
            fail(where, obj.kind + ' ' + (obj.metadata || {}).name + ': '
                 + e.message);
            return;
        }

        docs.push({ where: where, obj: obj });
    });
});

function find(kind) {
    return docs.filter(function (d) { return d.obj.kind === kind; });
}

function matches(selector, labels) {
    return Object.keys(selector).every(function (k) {
        return labels[k] === selector[k];
    });
}

// the pieces must point at each other

var deploy = find('Deployment')[0];
var conf = fs.readFileSync(path.join(dir, 'nginx.conf'), 'utf8');

if (!deploy) {
    fail(dir, 'no Deployment');

} else {
    var labels = deploy.obj.spec.template.metadata.labels;
    var c = deploy.obj.spec.template.spec.containers[0];
    var wp = /^\s*worker_processes\s+(\S+);/m.exec(conf);
    var ping = c.readinessProbe && c.readinessProbe.httpGet
               && c.readinessProbe.httpGet.path;

    find('Service').concat(find('PodDisruptionBudget'), find('PodMonitor'))
        .forEach(function (d) {
            var sel = d.obj.spec.selector;
            sel = sel.matchLabels || sel;
            if (!matches(sel, labels)) {
                fail(d.where, d.obj.kind + ' selects no pod of the '
                     + 'Deployment');
            }
        });

    if (!ping || conf.indexOf('location = ' + ping + ' ') === -1) {
        fail(deploy.where, 'readiness path ' + ping + ' is no exact '
             + 'location of nginx.conf');
    }

    if (!wp || wp[1] === 'auto') {
        fail('nginx.conf', 'worker_processes must be a number in a pod '
             + '(auto counts the node\'s CPUs)');

    } else if (String(c.resources.limits.cpu) !== wp[1]) {
        fail(deploy.where, 'limits.cpu ' + c.resources.limits.cpu
             + ' is not nginx.conf\'s worker_processes ' + wp[1]);
    }
}

find('HorizontalPodAutoscaler').forEach(function (d) {
    var ref = d.obj.spec.scaleTargetRef;
    var adapter = find('ConfigMap').filter(function (m) {
        return m.obj.data && m.obj.data['config.yaml'];
    })[0];
    var names = [];

    if (!deploy || ref.kind !== 'Deployment'
        || ref.name !== deploy.obj.metadata.name)
    {
        fail(d.where, 'scales ' + ref.kind + ' ' + ref.name
             + ', not the Deployment');
    }

    if (adapter) {
        (YAML.parse(adapter.obj.data['config.yaml']).rules || [])
            .forEach(function (r) {
                if (!r.seriesQuery || !r.metricsQuery) {
                    fail(adapter.where, 'a rule needs seriesQuery and '
                         + 'metricsQuery');
                }
                names.push(r.name && r.name.as);
            });
    }

    d.obj.spec.metrics.forEach(function (m) {
        if (m.type === 'Pods' && names.indexOf(m.pods.metric.name) === -1) {
            fail(d.where, 'metric ' + m.pods.metric.name + ' has no rule '
                 + 'in the adapter\'s config.yaml');
        }
    });
});

if (failed) {
    console.error(failed + ' problem(s) in ' + dir);
    process.exit(1);
}

console.log(dir + ': ' + docs.length + ' manifests valid');
