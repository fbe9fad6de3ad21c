import { idActionCommand } from '../id-action.js';

export default () => idActionCommand('verify', 'torrent.verify', "hash a daemon torrent's data on disk again", 'verifying');
