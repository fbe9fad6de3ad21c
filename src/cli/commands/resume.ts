import { idActionCommand } from '../id-action.js';

export default () => idActionCommand('resume', 'torrent.resume', 'resume paused torrents of the running daemon', 'resumed');
