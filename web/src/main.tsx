// The web UI's entry: take the token from the address, then render the app.
import { render } from 'preact';
import { takeTokenFromUrl } from './api/auth.js';
import { App } from './ui/App.js';
import './styles.css';

takeTokenFromUrl();
render(<App />, document.getElementById('app')!);
