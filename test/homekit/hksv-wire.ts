// What a HomeKit Secure Video hub writes and looks for over HAP, spelled out for tests from the layouts HAP-NodeJS
// parses (lib/camera/RecordingManagement), independently of Doorstep's code.
import { encodeTlv, u16, u32 } from "./tlv8.js";

/** HAP short type ids (Apple-defined UUIDs). */
export const HKSV = {
  recordingManagement: "204", supportedRecordingConfiguration: "205", selectedRecordingConfiguration: "209", active: "B0",
  dataStreamManagement: "129", setupDataStreamTransport: "131", motionSensor: "85", motionDetected: "22",
} as const;

/** A hub's Selected Camera Recording Configuration (layout as HAP-NodeJS parses it): 640x360@15 H.264 Main 4.0, AAC-LC 32 kHz. */
export function selectedConfiguration(fps = 15): string {
  const i32 = (n: number) => u32(n);
  const u64 = (n: number) => Buffer.concat([u32(n), u32(0)]);
  return encodeTlv([
    [1, [[1, i32(4000)], [2, u64(1)], [3, [[1, [0]], [2, [[1, i32(4000)]]]]]]],
    [2, [[1, [0]], [2, [[1, [1]], [2, [2]], [3, i32(600)], [4, i32(4000)]]], [3, [[1, u16(640)], [2, u16(360)], [3, [fps]]]]]],
    [3, [[1, [0]], [2, [[1, [1]], [2, [0]], [3, [3]], [4, i32(32)]]]]],
  ]).toString("base64");
}

