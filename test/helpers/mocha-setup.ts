// Lets CI run the same specs against another Node-RED (3.1 on Node 20, 5.x on Node 22):
// NODE_RED_PATH points at that install's `node-red` package folder.
import helper from 'node-red-node-test-helper';

if (process.env.NODE_RED_PATH) {
    helper.init(require.resolve(process.env.NODE_RED_PATH));
}
