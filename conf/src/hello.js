// GET /hello?name=you -> {"message":"hello you"}
import greet from './lib/greet';

export default (ctx) => ({ message: greet(ctx.env.greeting ?? 'hello', ctx.query.name) });
