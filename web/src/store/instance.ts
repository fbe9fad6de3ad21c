// The page's one store of the node, fed by the one event stream.
import { NodeStore } from './torrents.js';

export const store = new NodeStore();
