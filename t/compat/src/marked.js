// marked: the notes of the page as markdown
import { marked } from 'marked';

export default function (ctx) {
    return '<!doctype html><title>' + ctx.body.title.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))
           + '</title>\n' + marked.parse(ctx.body.notes);
}
