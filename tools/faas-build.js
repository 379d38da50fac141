/*
 * faas-build SRC OUT: modern JavaScript, TypeScript and JSX with npm
 * packages in, one ES5 CommonJS bundle per function out (see faas-build).
 *
 * esbuild bundles each entry with its imports (ES2022 syntax, TS, JSX with
 * the automatic runtime) into CommonJS; Babel's preset-env then lowers the
 * bundle to ES5 (async/await through its inlined regenerator, classes,
 * let, arrows, template literals, for-of, destructuring, spread ...). The
 * source maps of both steps are chained into OUT/x.js.map. In front of
 * the bundle go the polyfills of faas-polyfills.js the bundle may use,
 * each guarded so it never replaces a built-in the runtime has.
 */

'use strict';

var fs = require('fs');
var path = require('path');
var childProcess = require('child_process');
var esbuild = require('esbuild');
var babel = require('@babel/core');
var acorn = require('acorn');
var polyfills = require('./faas-polyfills');

var NODE_BUILTINS = require('module').builtinModules;
var SOURCE = /\.(?:js|jsx|mjs|cjs|ts|tsx|mts|cts)$/;
var SKIP = /^(?:lib|node_modules)$|^\./;


function fail(msg) {
    process.stderr.write('faas-build: ' + msg + '\n');
    process.exit(1);
}


/*
 * Entries: the source files at the top of SRC; in a subdirectory (not
 * lib/ or node_modules/) its index file when it has one (the directory is
 * then one function, its other files its modules), every source file at
 * its top otherwise, and so on down. SRC/page.jsx -> page,
 * SRC/api/user.ts -> api/user, SRC/shop/index.tsx -> shop/index.
 */

function isEntry(name) {
    return SOURCE.test(name) && !/\.d\.[cm]?ts$/.test(name)
           && !/^\./.test(name);
}


function findEntries(src, rel, out) {
    var dir = path.join(src, rel);
    var names = fs.readdirSync(dir).sort();
    var index, i, name, st;

    if (rel !== '') {
        index = names.filter(function (n) {
            return isEntry(n) && n.replace(SOURCE, '') === 'index';
        });

        if (index.length > 1) {
            fail(path.join(rel) + ': more than one index file: '
                 + index.join(', '));
        }

        if (index.length === 1) {
            out.push({ name: path.join(rel, 'index'),
                       file: path.join(dir, index[0]) });
            return out;
        }
    }

    for (i = 0; i < names.length; i++) {
        name = names[i];
        st = fs.statSync(path.join(dir, name));

        if (st.isDirectory()) {
            if (!SKIP.test(name)) {
                findEntries(src, path.join(rel, name), out);
            }

        } else if (isEntry(name)) {
            out.push({ name: path.join(rel, name.replace(SOURCE, '')),
                       file: path.join(dir, name) });
        }
    }

    return out;
}


/* SRC's own npm packages, installed from its lockfile when missing */

function installPackages(src) {
    var lock = path.join(src, 'package-lock.json');
    var stamp = path.join(src, 'node_modules', '.package-lock.json');
    var args, r;

    if (!fs.existsSync(path.join(src, 'package.json'))) {
        return;
    }

    if (fs.existsSync(stamp)
        && (!fs.existsSync(lock)
            || fs.statSync(stamp).mtimeMs >= fs.statSync(lock).mtimeMs))
    {
        return;
    }

    args = fs.existsSync(lock) ? ['ci'] : ['install'];
    args.push('--no-audit', '--no-fund');

    process.stderr.write('faas-build: npm ' + args[0] + ' in ' + src + '\n');

    r = childProcess.spawnSync('npm', args, { cwd: src, stdio: 'inherit' });
    if (r.status !== 0) {
        fail('npm ' + args[0] + ' in ' + src + ' failed');
    }
}


/* the polyfill entries a bundle may need, dependencies first */

function pickPolyfills(code) {
    var byName = {}, picked = [], seen = {};

    polyfills.forEach(function (p) { byName[p.name] = p; });

    function take(p) {
        if (seen[p.name]) {
            return;
        }
        seen[p.name] = true;
        (p.after || []).forEach(function (n) { take(byName[n]); });
        picked.push(p);
    }

    polyfills.forEach(function (p) {
        if (p.uses.test(code)) {
            take(p);
        }
    });

    return picked;
}


function prelude(picked) {
    var text;

    if (picked.length === 0) {
        return '';
    }

    text = picked.map(function (p) {
        return '/* faas-build polyfill: ' + p.name + ' */\n('
               + p.code.toString() + ')(G);\n';
    }).join('');

    return '(function (G) {\n' + text + '})(typeof globalThis === "object"'
           + ' ? globalThis : Function("return this")());\n';
}


/*
 * A Node built-in (fs, path, stream ...) that a package requires but the
 * runtime has not is an empty object, as browser bundlers make it: most
 * packages (ejs, say) use them only on paths a function never takes (files,
 * includes). The build says which, so a call that does take such a path is
 * no surprise.
 */

function nodeBuiltins(warned) {
    var names = NODE_BUILTINS.filter(function (n) { return !/^_/.test(n); });
    var filter = new RegExp('^(?:node:)?(?:' + names.map(function (n) {
        return n.replace(/[/.]/g, '\\$&');
    }).join('|') + ')$');

    return {
        name: 'faas-node-builtins',
        setup: function (b) {
            b.onResolve({ filter: filter }, function (args) {
                var key = args.path + ' ' + args.importer;

                if (!warned[key]) {
                    warned[key] = true;
                    process.stderr.write('faas-build: "' + args.path
                        + '" (required by ' + path.relative(process.cwd(),
                        args.importer) + ') is a Node built-in the runtime '
                        + 'has not: an empty object\n');
                }

                return { path: args.path, namespace: 'faas-empty' };
            });
            b.onLoad({ filter: /.*/, namespace: 'faas-empty' }, function () {
                return { contents: 'module.exports = {};', loader: 'js' };
            });
        }
    };
}


function lower(code, map, file) {
    return babel.transformSync(code, {
        filename: file,
        babelrc: false,
        configFile: false,
        sourceType: 'script',
        compact: false,
        sourceMaps: true,
        inputSourceMap: map,
        assumptions: {
            /*
             * super.m() as Parent.prototype.m.call(this): Babel's helper
             * otherwise calls Reflect.get with a receiver, which Duktape
             * answers with "unsupported" (it assumes no program swaps a
             * class's parent after defining it)
             */
            constantSuper: true,
            /*
             * {...a} with Object.assign, native in Duktape, instead of a
             * helper that defines each property through descriptors
             * (several times slower there); it differs only for a target
             * with setters, which a fresh object literal has not
             */
            setSpreadProperties: true,
            /* class fields assigned, as TypeScript has always done */
            setPublicClassFields: true,
            /* a ?? b as a != null: there is no document.all here */
            noDocumentAll: true
        },
        presets: [[require.resolve('@babel/preset-env'), {
            /* every ES2015+ syntax down to ES5, whatever the browser lists */
            forceAllTransforms: true,
            modules: false,
            useBuiltIns: false,
            /*
             * Duktape has Symbol and answers "symbol" to typeof, so typeof
             * needs no helper call around it
             */
            exclude: ['transform-typeof-symbol']
        }]]
    });
}


/*
 * the lowered bundle must parse as ES5, as Duktape will parse it: what
 * Babel left (syntax no transform covers) fails here, naming the line of
 * the source it came from, instead of failing the first request
 */

function checkEs5(code, map, jsFile) {
    var pos, where = '';

    try {
        acorn.parse(code, { ecmaVersion: 5, sourceType: 'script' });
        return;

    } catch (err) {
        pos = err.loc;
        if (pos && map) {
            where = originalOf(map, pos.line, pos.column);
        }
        if (where) {
            where = path.relative(process.cwd(),
                                  path.resolve(path.dirname(jsFile), where));
        }
        fail(path.relative(process.cwd(), jsFile) + ':' + (pos ? pos.line : 0)
             + ': not ES5 after lowering (' + err.message + ')'
             + (where ? ', from ' + where : ''));
    }
}


/* source:line of a generated line and column, from a v3 source map */

function originalOf(map, line, column) {
    var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    var lines = map.mappings.split(';');
    var src = 0, srcLine = 0, i, j, segs, v, shift, digit, fields, col, best;

    for (i = 0; i < lines.length && i < line; i++) {
        segs = lines[i] === '' ? [] : lines[i].split(',');
        col = 0;

        for (j = 0; j < segs.length; j++) {
            fields = [];
            v = 0;
            shift = 0;

            for (var k = 0; k < segs[j].length; k++) {
                digit = B64.indexOf(segs[j][k]);
                v += (digit & 31) << shift;
                shift += 5;
                if (!(digit & 32)) {
                    fields.push(v & 1 ? -(v >>> 1) : v >>> 1);
                    v = 0;
                    shift = 0;
                }
            }

            col += fields[0];
            if (fields.length >= 4) {
                src += fields[1];
                srcLine += fields[2];
                if (i === line - 1 && col <= column) {
                    best = map.sources[src] + ':' + (srcLine + 1);
                }
            }
        }
    }

    return best;
}


async function build(src, out) {
    var entries, result, outputs = {}, i, e, js, mapText, lowered, pre,
        picked, jsFile, total = 0;

    installPackages(src);

    entries = findEntries(src, '', []);
    if (entries.length === 0) {
        fail('no entries in ' + src);
    }

    try {
        result = await esbuild.build({
            absWorkingDir: src,
            entryPoints: entries.map(function (e) {
                return { in: e.file, out: e.name };
            }),
            outdir: out,
            bundle: true,
            write: false,
            format: 'cjs',
            /*
             * browser conditions and fields: react-dom/server and others
             * resolve to their builds that need no Node built-ins (streams)
             */
            platform: 'browser',
            target: 'esnext',
            jsx: 'automatic',
            define: {
                'process.env.NODE_ENV': '"production"',
                global: 'globalThis'
            },
            sourcemap: 'external',
            sourcesContent: false,
            legalComments: 'none',
            charset: 'utf8',
            logLevel: 'warning',
            plugins: [nodeBuiltins({})]
        });

    } catch (err) {
        /* esbuild has printed the errors with file:line */
        fail('bundling failed');
    }

    result.outputFiles.forEach(function (f) {
        outputs[f.path] = f.text;
    });

    for (i = 0; i < entries.length; i++) {
        e = entries[i];
        jsFile = path.join(out, e.name + '.js');
        js = outputs[jsFile];
        mapText = outputs[jsFile + '.map'];

        if (js === undefined || mapText === undefined) {
            fail('esbuild wrote no ' + jsFile);
        }

        /* drop esbuild's sourceMappingURL line, ours goes at the end */
        js = js.replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, '\n');

        try {
            lowered = lower(js, JSON.parse(mapText), jsFile);

        } catch (err) {
            fail(e.file + ': ' + err.message);
        }

        checkEs5(lowered.code, lowered.map, jsFile);

        picked = pickPolyfills(js);
        pre = prelude(picked);

        /* the prelude's lines come before the first mapped line */
        lowered.map.mappings = ';'.repeat(pre.split('\n').length - 1)
                               + lowered.map.mappings;
        lowered.map.file = path.basename(jsFile);

        fs.mkdirSync(path.dirname(jsFile), { recursive: true });
        fs.writeFileSync(jsFile, pre + lowered.code + '\n//# sourceMappingURL='
                                 + path.basename(jsFile) + '.map\n');
        fs.writeFileSync(jsFile + '.map', JSON.stringify(lowered.map));

        total++;
        process.stderr.write('faas-build: ' + path.relative(process.cwd(),
                             jsFile) + ' ('
                             + Math.round(fs.statSync(jsFile).size / 1024)
                             + ' KB' + (picked.length ? ', polyfills: '
                             + picked.map(function (p) { return p.name; })
                                     .join('; ') : '')
                             + ')\n');
    }

    return total;
}


function main(argv) {
    var src, out;

    if (argv.length !== 2 || /^-/.test(argv[0])) {
        process.stderr.write('usage: faas-build SRC OUT\n');
        process.exit(2);
    }

    src = path.resolve(argv[0]);
    out = path.resolve(argv[1]);

    if (!fs.existsSync(src) || !fs.statSync(src).isDirectory()) {
        fail(src + ' is not a directory');
    }

    /* OUT inside SRC would be read back as entries on the next run */
    if (out === src || out.indexOf(src + path.sep) === 0) {
        fail('OUT must not be SRC or inside it');
    }

    build(src, out).catch(function (err) {
        fail(err.stack);
    });
}


main(process.argv.slice(2));
