// hello: the smallest useful API function (ES5, shared by every JS runtime)
function hello(name) {
    return { message: 'hello ' + name };
}
