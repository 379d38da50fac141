# vi:filetype=perl

# String.prototype.replace with /[...]/g (HTML escaping) has a native path;
# it must answer exactly as Duktape's own regular expression engine does

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: the native path and the engine agree, callback arguments and lastIndex included
60 inputs and replacements, 1,000 matches in one of them, each through
both paths: the budget of the default 1 s was too short for a sanitizer
build, and the test is about agreement, not speed
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_timeout 20s;
--- config
    location /diff { faas_pass diff; }
--- user_files
>>> fn/diff.js
function run(s, re, repl) {
    var log = [];
    var f = typeof repl === 'function' ? function () {
        var a = Array.prototype.slice.call(arguments);
        log.push(JSON.stringify(a) + '@' + re.lastIndex + ':' + typeof this);
        return repl.apply(null, a);
    } : repl;
    var out;
    re.lastIndex = 3;
    try { out = s.replace(re, f); } catch (e) { out = 'threw ' + e.name + ' ' + e.message; }
    return JSON.stringify([out, re.lastIndex, log]);
}
var many = new Array(1001).join('<a>');
module.exports = function (ctx) {
    var inputs = ['', 'plain text', '<b>"Tom" & \'Jerry\'</b>', '\u00e9<\u00fc>&',
                  '\u65e5\u672c<\u8a9e>', '\ud83d\ude00<x', String.fromCharCode(0xd800) + '&',
                  ctx.query.s, '<<<', many];
    var repls = [function (c) { return '&#' + c.charCodeAt(0) + ';'; }, 'X', '',
                 function () { return 7; }, function () { return { toString: function () { return 'o'; } }; },
                 function (c, i) { if (i > 2) throw new TypeError('stop at ' + i); return c; }];
    var res = [];
    for (var i = 0; i < inputs.length; i++) {
        for (var j = 0; j < repls.length; j++) {
            var fast = run(inputs[i], /[&<>"']/g, repls[j]);
            var slow = run(inputs[i], /(?:[&<>"'])/g, repls[j]);
            if (fast !== slow) {
                return 'input ' + i + ' replacement ' + j + ': ' + fast + ' against ' + slow;
            }
        }
    }
    return 'agree ' + (inputs.length * repls.length) + ' ' + run('a<b', /[<]/g, 'X');
};
--- request
GET /diff?s=%C3%A9%3Cb
--- timeout: 30
--- response_body chomp
agree 60 ["aXb",0,[]]
--- no_error_log
[error]
[alert]



=== TEST 2: what the native path does not take is the engine's
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /other { faas_pass other; }
--- user_files
>>> fn/other.js
module.exports = function () {
    var fake = Object.create(RegExp.prototype);
    fake.lastIndex = 0;
    fake.toString = function () { return '[object Object]'; };
    return [
        'a<b<'.replace(/[<]/g, '[$&]'),         // $ patterns
        'a<b<'.replace(/[<]/, 'X'),             // not global
        'aAb'.replace(/[a]/gi, 'x'),            // ignoring case
        'abcd'.replace(/[a-c]/g, 'x'),          // a range
        'a^b'.replace(/[^a]/g, 'x'),            // a negated class
        'a.b'.replace(/[.]/g, function (c) { return '(' + c + ')'; }),
        'x[object Object]y'.replace(fake, 'Z'), // not a RegExp: a string
        'a<b'.replace('<', '&lt;'),             // a string search
        String.prototype.replace.length + String.prototype.replace.name,
        Object.keys(String.prototype).length
    ].join(' ');
};
--- request
GET /other
--- response_body chomp
a[<]b[<] aXb< xxb xxxd axx a(.)b xZy a&lt;b 2replace 0
--- no_error_log
[error]
[alert]



=== TEST 3: a template escaping with the native path renders byte for byte
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /page { faas_pass page; }
--- user_files
>>> fn/page.js
var MAP = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
var RE = /[&<>"']/g;
function esc(s) { return String(s).replace(RE, function (c) { return MAP[c]; }); }
module.exports = function (ctx) {
    var out = '<ul>';
    for (var i = 0; i < ctx.body.items.length; i++) {
        out += '<li title="' + esc(ctx.body.items[i]) + '">' + esc(ctx.body.items[i]) + '</li>';
    }
    return out + '</ul>';
};
--- request
POST /page
{"items": ["plain", "<script>alert('x')</script>", "Tom & \"Jerry\"", "caf\u00e9 <b>"]}
--- more_headers
Content-Type: application/json
--- response_body chomp
<ul><li title="plain">plain</li><li title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</li><li title="Tom &amp; &quot;Jerry&quot;">Tom &amp; &quot;Jerry&quot;</li><li title="café &lt;b&gt;">café &lt;b&gt;</li></ul>
--- no_error_log
[error]
[alert]



=== TEST 4: a string that is not UTF-8 to Duktape (from a .json file) is left to the engine
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /raw { faas_pass raw; }
--- user_files eval
">>> fn/raw.js
var data = require('./data.json');
function run(re) {
    try { return data.s.replace(re, 'X'); } catch (e) { return 'threw ' + e.name; }
}
module.exports = function () {
    var fast = run(/[&<>]/g), slow = run(/(?:[&<>])/g);
    return (fast === slow ? 'same ' : 'differ ') + fast.slice(0, 5);
};
>>> fn/data.json
{\"s\": \"a<b\xFF&c\"}
"
--- request
GET /raw
--- response_body_like chomp
^same threw
--- no_error_log
[alert]



=== TEST 5: the native path takes the flags a RegExp was compiled with, once per RegExp
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /flags { faas_pass flags; }
--- user_files
>>> fn/flags.js
module.exports = function () {
    var re = /[<>]/g, out = [];
    out.push('<a>'.replace(re, '_'));                           // taken, kept
    out.push('<a>'.replace(/[<>]/, '_'));                       // same source, not global
    out.push('<a>'.replace(re, '_'));                           // the kept one again
    out.push('<A>'.replace(new RegExp('[<>]', 'gm'), '_'));     // multiline: no ^ or $
    out.push('<a>'.replace(new RegExp(re.source, 'i'), '_'));   // ignoring case only
    // a program that redefines the getter: Duktape's replace asks it, the
    // native path does not (the README says so)
    Object.defineProperty(RegExp.prototype, 'global', {
        get: function () { return false; }, configurable: true });
    out.push('<a>'.replace(re, '_'));
    out.push('<a>'.replace(/(?:[<>])/g, '_'));
    return out.join(' ');
};
--- request
GET /flags
--- response_body chomp
_a_ _a> _a_ _A_ _a> _a_ _a>
--- no_error_log
[error]
[alert]



=== TEST 6: a character written as two escapes is answered as UTF-8, a lone surrogate as U+FFFD
Duktape keeps "\ud83d\ude00" as two three-byte surrogates (CESU-8), which
no UTF-8 decoder accepts; a JSON body is where a client writes them
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /j { faas_pass j; }
    location /h { faas_pass h; }
--- user_files
>>> fn/j.js
module.exports = function (ctx) { return ctx.body; };
>>> fn/h.js
module.exports = function (ctx) {
    return String.fromCharCode(0xd83d, 0xde00) + '|' + String.fromCharCode(0xdc00, 0xd800) + '|\u00e9\ud800';
};
--- request eval
["POST /j\n[\"\\ud83d\\ude00\", \"x\\ud800\", \"\\udfff\\ud83d\"]", "GET /h"]
--- more_headers
Content-Type: application/json
--- response_body eval
["[\"\xf0\x9f\x98\x80\",\"x\xef\xbf\xbd\",\"\xef\xbf\xbd\xef\xbf\xbd\"]",
 "\xf0\x9f\x98\x80|\xef\xbf\xbd\xef\xbf\xbd|\xc3\xa9\xef\xbf\xbd"]
--- no_error_log
[error]
[alert]



=== TEST 7: a class with escaped punctuation takes the native path, escaped letters and digits do not
mustache's /[&<>"'`=\/]/g (Duktape writes "/" as "\/" in .source) and
other escaped punctuation are the characters themselves; "\d", "\b" (a
backspace in a class), "\x41", "\u0041", "\0", "\n", "\w" and a range
are the engine's. Which path answered shows when the program
redefines the global getter (TEST 5): Duktape's replace asks it and
stops after one match, the native path does not. Before that, each
class answers the same through both paths.
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /esc { faas_pass esc; }
--- user_files
>>> fn/esc.js
var cases = [
    [/[&<>"'`=\/]/g, 'a/b=c`d<e>f&g"h\'i/'],
    [/[\]\-\\\^]/g, 'a]b-c\\d^e]'],
    [/[\.\*\+\?\(\)\{\}\|]/g, 'a.b*c+d?e(f)g{h}i|j.'],
    [/[\ \!\#\%\,\:\;\@\~]/g, 'a b!c#d%e,f:g;h@i~j '],
    [/[\d]/g, 'a1b2'],
    [/[\b]/g, 'a\bb\b'],
    [/[\x41]/g, 'xAyA'],
    [/[\u0041]/g, 'xAyA'],
    [/[\0]/g, 'a\u0000b\u0000'],
    [/[\n]/g, 'a\nb\n'],
    [/[\w]/g, '!a!b'],
    [/[a\-c]/g, 'a-b-c'],
    [/[a-c\/]/g, 'a/b/c']
];
function esc(c) { return '&#' + c.charCodeAt(0) + ';'; }
module.exports = function () {
    var i, re, fast, slow, out = [];
    for (i = 0; i < cases.length; i++) {
        re = cases[i][0];
        fast = cases[i][1].replace(re, esc);
        slow = cases[i][1].replace(new RegExp('(?:' + re.source + ')', 'g'), esc);
        if (fast !== slow) {
            return re.source + ': ' + fast + ' against ' + slow;
        }
    }
    out.push(cases[0][1].replace(cases[0][0], esc));
    var global = Object.getOwnPropertyDescriptor(RegExp.prototype, 'global');
    Object.defineProperty(RegExp.prototype, 'global', {
        get: function () { return false; }, configurable: true });
    try {
        for (i = 0; i < cases.length; i++) {
            re = new RegExp(cases[i][0].source, 'g');
            out.push(cases[i][1].replace(re, '_').split('_').length > 2
                     ? 'native' : 'engine');
        }
    } finally {
        Object.defineProperty(RegExp.prototype, 'global', global);
    }
    return out.join(' ');
};
--- request
GET /esc
--- response_body chomp
a&#47;b&#61;c&#96;d&#60;e&#62;f&#38;g&#34;h&#39;i&#47; native native native native engine engine engine engine engine engine engine native engine
--- no_error_log
[error]
[alert]
