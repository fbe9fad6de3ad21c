import { idActionCommand } from '../id-action.js';

export default () => idActionCommand('pause', 'torrent.pause', 'pause torrents of the running daemon', 'paused');
