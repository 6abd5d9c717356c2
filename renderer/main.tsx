/** Renderer entry: picks the transport (Electron preload or the web host) and mounts the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createDefaultApi } from './api.ts';
import { App } from './app/app.tsx';
import './styles/app.css';

const client = createDefaultApi();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
