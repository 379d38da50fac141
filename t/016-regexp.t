# vi:filetype=perl

# Duktape's regular expression engine as patched at build time (patches/):
# an empty iteration of a quantified group ends the loop, as the spec's
# RepeatMatcher says; alternatives of one length loop without recursion;
# deeper recursion ends in a RangeError, never in a crashed worker.
# Expected values are Node's (V8) answers to the same calls.

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: a quantified group that can match empty (patches/0001)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /re { faas_pass re; }
--- user_files
>>> fn/re.js
module.exports = function () {
    return [/^(?:a|)+/.exec('b'), /^(?: *(?:\n|$))+/.exec('\n')];
};
--- request
GET /re
--- response_body chomp
[[""],["\n"]]
--- no_error_log
[error]
[alert]



=== TEST 2: empty iterations, captures, lazy and nested loops answer as V8 does (patches/0001)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /re { faas_pass re; }
--- user_files
>>> fn/re.js
var cases = [
    [/^(?:a|)+/, 'b'],
    [/^(?: *(?:\n|$))+/, '\n'],
    [/^(?: *(?:\n|$))+/, '  \n \n\nx'],
    [/^(a|)*b/, 'aab'],
    [/^(?:a|)*?b/, 'aab'],
    [/(a*)*/, 'b'],
    [/(a*)+/, 'b'],
    [/(a*)+/, 'aa'],
    [/^(?:a?b?)*$/, 'abab'],
    [/^(?:|a)*/, 'aaa'],
    [/^(?:(?:a|)*b)*c/, 'abbaabc'],
    [/(.*?)+x/, 'abx'],
    [/(?:(?=(a+)))*/, 'aaa'],
    [/(z)((a+)?(b+)?(c))*/, 'zaacbbbcac'],
    [/(?:(a)|b)*/, 'ab'],
    [/(?:a|()){2,}/, 'aa'],
    [/(?:a|){3,}?x/, 'aax']
];
module.exports = function () {
    var out = [];
    for (var i = 0; i < cases.length; i++) {
        out.push(String(cases[i][0]) + ' ' + JSON.stringify(cases[i][0].exec(cases[i][1])));
    }
    out.push(JSON.stringify('# a\n\n\n  \nb\n'.replace(/^(?: *(?:\n|$))+/gm, '|')));
    return out.join('\n');
};
--- request
GET /re
--- response_body chomp
/^(?:a|)+/ [""]
/^(?: *(?:\n|$))+/ ["\n"]
/^(?: *(?:\n|$))+/ ["  \n \n\n"]
/^(a|)*b/ ["aab","a"]
/^(?:a|)*?b/ ["aab"]
/(a*)*/ ["",null]
/(a*)+/ ["",""]
/(a*)+/ ["aa","aa"]
/^(?:a?b?)*$/ ["abab"]
/^(?:|a)*/ ["aaa"]
/^(?:(?:a|)*b)*c/ ["abbaabc"]
/(.*?)+x/ ["abx","b"]
/(?:(?=(a+)))*/ ["",null]
/(z)((a+)?(b+)?(c))*/ ["zaacbbbcac","z","ac","a",null,"c"]
/(?:(a)|b)*/ ["ab",null]
/(?:a|()){2,}/ ["aa",null]
/(?:a|){3,}?x/ ["aax"]
"# a\n|b\n|"
--- no_error_log
[error]
[alert]



=== TEST 3: a markdown blank-line rule over many blank lines (patches/0001)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /re { faas_pass re; }
--- user_files
>>> fn/re.js
module.exports = function () {
    var s = new Array(3001).join('  \n') + 'x';
    var m = /^(?: *(?:\n|$))+/.exec(s);
    return m[0].length + ' ' + /^(?:a|)+$/.test('') + ' ' + /^(?:a|)+$/.test('aaa');
};
--- request
GET /re
--- response_body chomp
9000 true true
--- no_error_log
[error]
[alert]



=== TEST 4: a lazy loop over a group that can match empty (patches/0001)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /re { faas_pass re; }
--- user_files
>>> fn/re.js
module.exports = function () {
    return [/^(?:a|)*?$/.exec('aa'), /^(?:b|)+?c/.exec('x'), /(?:|x)*?y/.exec('xxy')];
};
--- request
GET /re
--- response_body chomp
[["aa"],null,["xxy"]]
--- no_error_log
[error]
[alert]



=== TEST 5: alternatives of one length over 100,000 characters (patches/0002)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /re { faas_pass re; }
--- user_files
>>> fn/re.js
module.exports = function () {
    var s = new Array(50001).join('ab'), out = [];
    out.push(/^(?:a|b)*$/.test(s));
    out.push(/^(?:ab|cd)+$/.test(s));
    out.push(/^(?:A|B)*$/i.test(s));
    out.push(/^(?:a|b)*c/.test(s));
    out.push(/^(?:\r\n|[^\r\n][^\r\n])*/.exec(s + '\r\nx\ny')[0].length);
    out.push(s.replace(/(?:a|b)+/g, '').length);
    return out;
};
--- request
GET /re
--- response_body chomp
[true,true,true,false,100002,0]
--- no_error_log
[error]
[alert]



=== TEST 6: a loop over alternatives of one length backtracks as V8 does (patches/0002)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /re { faas_pass re; }
--- user_files
>>> fn/re.js
var cases = [
    [/(?:ab|cd)+x/, 'zzabcdabx'],
    [/(?:ab|cd){2,3}c/, 'abcdabcd'],
    [/^(?:a|b)*?b/, 'aab'],
    [/^(?:a|d|\w)*c/, 'adbcd'],
    [/^(?:A|B)+$/i, 'abAB'],
    [/(?:$|^)*x/, 'ax'],
    [/^(?:a|b)+b/, 'abab'],
    [/x|yz|w/, 'ayz'],
    [/^(?:\u00e9|\u00fc)+/, '\u00e9\u00fc\u00e9x'],
    [/(?:\d|[a-f])+/, 'zz09afx'],
    [/(?:a\b|b\B)+/, 'bba c'],
    [/^(?:(?:ab|cd)x|efg)+$/, 'abxefgcdx']
];
module.exports = function () {
    var out = [];
    for (var i = 0; i < cases.length; i++) {
        out.push(String(cases[i][0]) + ' ' + JSON.stringify(cases[i][0].exec(cases[i][1])));
    }
    out.push(JSON.stringify('# a\n\n\n  \nb\n'.replace(/^(?: *(?:\n|$))+/gm, '|')));
    return out.join('\n');
};
--- request
GET /re
--- response_body chomp
/(?:ab|cd)+x/ ["abcdabx"]
/(?:ab|cd){2,3}c/ ["abcdabc"]
/^(?:a|b)*?b/ ["aab"]
/^(?:a|d|\w)*c/ ["adbc"]
/^(?:A|B)+$/i ["abAB"]
/(?:$|^)*x/ ["x"]
/^(?:a|b)+b/ ["abab"]
/x|yz|w/ ["yz"]
/^(?:\u00e9|\u00fc)+/ ["éüé"]
/(?:\d|[a-f])+/ ["09af"]
/(?:a\b|b\B)+/ ["bba"]
/^(?:(?:ab|cd)x|efg)+$/ ["abxefgcdx"]
"# a\n|b\n|"
--- no_error_log
[error]
[alert]



=== TEST 7: a deep loop over a complex group: 10,000 iterations match, deeper ones throw RangeError and the worker lives on
10,000 iterations are four times what the executor's old count of 10000
allowed; a sanitizer build's larger frames fit about 16,000 in the
worker's stack (a release build about 50,000), so 40,000 failed there
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /re { faas_pass re; }
--- user_files
>>> fn/re.js
function deep(n) {
    var s = new Array(n + 1).join('ab');
    try {
        return /^(?:x|ab)*$/.test(s);
    } catch (e) {
        return e.name + ': ' + e.message;
    }
}
module.exports = function () {
    return [deep(10000), deep(200000), deep(10)];
};
--- request
GET /re
--- response_body chomp
[true,"RangeError: C stack depth limit",true]
--- no_error_log
[error]
[alert]
