"use strict";
// Reading a QR code from a picture or the camera: the browser's BarcodeDetector where it has one
// (Android, macOS), otherwise the vendored jsQR (jsQR.js, loaded by the page as window.jsQR).

const MAX_SIDE = 1600; // pixels: larger photos are scaled down first, QR codes survive it

let detector;

function barcodeDetector() {
  if (detector === undefined) {
    detector = null;
    if ("BarcodeDetector" in globalThis) {
      try {
        detector = new globalThis.BarcodeDetector({ formats: ["qr_code"] });
      } catch {
        detector = null;
      }
    }
  }
  return detector;
}

function pixels(source, width, height) {
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const canvas = new OffscreenCanvas(w, h);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(source, 0, 0, w, h);
  return context.getImageData(0, 0, w, h);
}

// The text of the QR code in source (an ImageBitmap or a playing video), or null.
export async function readQr(source, width, height) {
  const native = barcodeDetector();
  if (native) {
    try {
      const found = await native.detect(source);
      if (found.length) return found[0].rawValue;
    } catch {
      // Fall through to jsQR: some platforms list the API but cannot run it.
    }
  }
  if (typeof globalThis.jsQR !== "function") return null;
  const image = pixels(source, width, height);
  const code = globalThis.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
  return code ? code.data : null;
}

export async function readQrFromFile(file) {
  const bitmap = await createImageBitmap(file);
  try {
    return await readQr(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

// Scans frames from the back camera until onText(text) returns true or stop() is called.
export async function startCamera(video, onText) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
  video.srcObject = stream;
  await video.play();
  let running = true;
  const stop = () => {
    running = false;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  const tick = async () => {
    if (!running) return;
    if (video.videoWidth) {
      const text = await readQr(video, video.videoWidth, video.videoHeight);
      if (text && (await onText(text))) {
        stop();
        return;
      }
    }
    setTimeout(tick, 150);
  };
  tick();
  return stop;
}
