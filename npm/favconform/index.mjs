// The ES module entry point: the same API as index.js (import { startMock } from 'favconform').
import api from './index.js';

export const { startMock, binaryPath, createDashboardDouble } = api;
