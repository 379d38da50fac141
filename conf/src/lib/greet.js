export default (greeting, name = 'world') => `${greeting} ${name}`;
