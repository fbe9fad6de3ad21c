import { idActionCommand } from '../id-action.js';

export default () => idActionCommand('reannounce', 'torrent.reannounce', "ask a daemon torrent's trackers and the DHT for peers now", 'announcing');
