import { render } from 'preact';
import { App } from './app';
import { restoreSession, startMediaWorker } from './api';
import './styles.css';

restoreSession();
void startMediaWorker().finally(() => render(<App />, document.getElementById('app')!));
