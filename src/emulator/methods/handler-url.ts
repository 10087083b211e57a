// HandlerHelper::checkCallback (docs/bitrix24.md §5): the URL needs a host containing a dot (not at its
// start), so `127.0.0.1` passes and `localhost` does not; then the scheme must be http or https.
import { RestError } from '../rest/errors';

export function checkHandlerUrl(url: string): void {
    let parsed: URL | null;
    try {
        parsed = new URL(url);
    } catch {
        parsed = null;
    }
    const host = parsed?.hostname ?? '';
    if (!parsed || host === '' || host.indexOf('.') <= 0) {
        throw new RestError('ERROR_WRONG_HANDLER_URL', 'Wrong handler URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw new RestError('ERROR_UNSUPPORTED_PROTOCOL', 'Unsupported handler protocol');
    }
}
