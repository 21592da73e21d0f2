"""People counting with the models shipped inside the mediapipe 0.10.21 wheel.

Signals, all run single-threaded (XNNPACK, one thread) through small mediapipe graphs built
here; each returns every candidate above a low floor, before suppression, so thresholds,
tiling and merging are ours:

* BlazePose person detector (pose_detection.tflite, 224x224): hip centre, full-body radius and
  shoulder centre of every person, including people seen from behind. Run on the whole frame
  and, where the face detector saw a face no confident person explains, on the tiles of a 2x2
  grid holding it (people appear about 1.7 times as large).
* Pose landmark model (pose_landmark_full.tflite) as a verifier: its pose-presence output and
  the visibility of the head landmarks are checked only on person candidates of middling
  detector score, which removes chairs and furniture that the detector alone takes for people.
* Full-range face detector (face_detection_full_range_sparse.tflite, 192x192) on the frame and on
  a 2x2 grid of overlapping tiles: a confident face far from every pose person is one more
  person (people hidden behind desks); every face is also returned for privacy blurring.

A middling pose counts when the verifier confirms it or when a face candidate sits at its head
(two independent models agree). A pose seen only on a tile must have that face: zoomed in,
furniture fools both the detector and the verifier, but not the face detector as well.

Adaptive compute (mp-fusion): a cheap pass (pose and face on the whole frame, about 9 ms of
one core) decides every frame whose scores are all clearly in or clearly out; only frames with
a candidate in the doubt band (`FusionConfig.pose_doubt` / `face_doubt`) pay for the face
tiles, the pose tiles with lone faces and the verifier (about 20 to 50 ms). The pose detector
costs about 5 ms, the face detector about 2 ms and the verifier about 8 ms per run on one core.

Pose candidates shaped like an arm reaching into the view (shoulders below the hips, or the
head outside the frame) are never people: a hand moving bottles is not staff.

Every frame is first resized so its longer side is WORK_LONG_SIDE px, so results and cost do
not depend on the camera resolution. Models load on the first `detect()`, never at import.

`segment_people` runs the selfie segmentation model (selfie_segmentation_landscape.tflite,
256x144, about 2 ms) on the whole frame and returns upright person-shaped blobs, for the
fixed-camera rules only (a bottle is person-shaped to it).

`detect_regions` zooms the pose and face models into given regions (the changed regions of a
fixed camera, see `cameras.vision.fixed_camera`); a zoomed pose counts only with a face at its
head. Both `detect` and `detect_regions` also return the upright pose hits from
`candidate_min` that no rule here counts (`Detection.candidates`): on one photograph they are
nothing, across a fixed camera's burst they can be a person seen from above and behind.

Known weak spots (dev set and sequences): people seen from high above and behind (store-aisle
ceiling camera), people cut off to a torso or legs at the frame edge, small faces (< 10 px)
in ceiling views, crowds (mp-fusion counts the plaza crowd 0, mp-crowd 2 of about 75), a
close over-the-shoulder view (hair and a shoulder only), a frame whose cheap pass sees one
confident upright person while others sit unseen further back (no face or pose in doubt, so
no tiles; a confident pose lying across the frame is in doubt since mp-fusion 5: in the
classroom sequence it spanned two seated people), and an arm reaching in upright from the
side of a close-up view.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import cv2
import numpy as np
from numpy.typing import NDArray

from cameras.vision.boxes import clip_xyxy, iou_one_to_many, letterbox, resize_long_side
from cameras.vision.detector import Box, Detection, PersonBox

WORK_LONG_SIDE = 640
_POSE_DETECTOR_MODEL = "mediapipe/modules/pose_detection/pose_detection.tflite"
_POSE_LANDMARK_MODEL = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
_FACE_MODEL = "mediapipe/modules/face_detection/face_detection_full_range_sparse.tflite"
_SEGMENT_MODEL = "mediapipe/modules/selfie_segmentation/selfie_segmentation_landscape.tflite"

# Every graph starts the same: the image to a model-sized tensor (values from {low} to 1), then
# the model on the CPU (one XNNPACK thread: a worker process is one core of counting).
_IMAGE_TO_MODEL = """node {{
  calculator: "ImageToTensorCalculator"
  input_stream: "IMAGE:image"
  output_stream: "TENSORS:input"
  options {{ [mediapipe.ImageToTensorCalculatorOptions.ext] {{
    output_tensor_width: {width} output_tensor_height: {height} keep_aspect_ratio: false
    output_tensor_float_range {{ min: {low} max: 1 }} border_mode: BORDER_ZERO }} }}
}}
node {{
  calculator: "InferenceCalculatorCpu"
  input_stream: "TENSORS:input"
  output_stream: "TENSORS:output"
  options {{ [mediapipe.InferenceCalculatorOptions.ext] {{
    model_path: "{model}" delegate {{ xnnpack {{ num_threads: 1 }} }} }} }}
}}
"""

# Two outputs of a model, each flattened to floats (python can read FLOATS packets).
_TWO_OUTPUTS_GRAPH = (
    """
input_stream: "image"
output_stream: "boxes"
output_stream: "scores"
"""
    + _IMAGE_TO_MODEL
    + """node {{
  calculator: "SplitTensorVectorCalculator"
  input_stream: "output"
  output_stream: "first"
  output_stream: "second"
  options {{ [mediapipe.SplitVectorCalculatorOptions.ext] {{
    ranges {{ begin: {first} end: {first_end} }}
    ranges {{ begin: {second} end: {second_end} }} }} }}
}}
node {{ calculator: "TensorsToFloatsCalculator" input_stream: "TENSORS:first"
  output_stream: "FLOATS:boxes" }}
node {{ calculator: "TensorsToFloatsCalculator" input_stream: "TENSORS:second"
  output_stream: "FLOATS:scores" }}
"""
)


# One output of a model, flattened to floats (the selfie segmentation mask).
_ONE_OUTPUT_GRAPH = (
    """
input_stream: "image"
output_stream: "values"
"""
    + _IMAGE_TO_MODEL
    + """node {{ calculator: "TensorsToFloatsCalculator" input_stream: "TENSORS:output"
  output_stream: "FLOATS:values" }}
"""
)


class _GraphRunner:
    """One mediapipe graph fed an SRGB image on its "image" stream, its named output streams
    read back with `getter` (mediapipe.python.packet_getter's name), driven through
    CalculatorGraph directly (SolutionBase costs about 1 ms per call in Python).

    Not thread-safe: the owning detector serialises calls."""

    def __init__(self, config: str, outputs: Sequence[str], getter: str) -> None:
        # The option protos must be imported so the text graphs' extensions parse.
        import mediapipe.calculators.core.split_vector_calculator_pb2
        import mediapipe.calculators.tensor.image_to_tensor_calculator_pb2
        import mediapipe.calculators.tensor.inference_calculator_pb2
        import mediapipe.calculators.tensor.tensors_to_detections_calculator_pb2
        import mediapipe.calculators.tflite.ssd_anchors_calculator_pb2  # noqa: F401
        from mediapipe.python import packet_creator, packet_getter
        from mediapipe.python._framework_bindings import (
            calculator_graph,
            image_frame,
            resource_util,
        )

        resource_util.set_resource_dir(_mediapipe_root())
        self._create = packet_creator.create_image_frame
        self._srgb = image_frame.ImageFormat.SRGB
        self._get = getattr(packet_getter, getter)
        self._out: dict[str, Any] = {}
        self._graph = calculator_graph.CalculatorGraph(graph_config=config)
        for stream in outputs:
            self._graph.observe_output_stream(stream, self._keep(stream))
        self._graph.start_run()
        self._timestamp = 0

    def _keep(self, stream: str) -> Any:
        def callback(_name: str, packet: Any) -> None:
            self._out[stream] = self._get(packet)

        return callback

    def run(self, rgb: NDArray[np.uint8]) -> dict[str, Any]:
        """The outputs the graph gave for this image, by stream (a stream without an output
        for it is missing)."""
        self._out = {}
        packet = self._create(image_format=self._srgb, data=np.ascontiguousarray(rgb))
        self._graph.add_packet_to_input_stream("image", packet.at(self._timestamp))
        self._timestamp += 1
        self._graph.wait_until_idle()
        return self._out


class _MaskGraph:
    """A wheel segmentation model: `run(rgb)` -> its mask (height x width floats, 0..1)."""

    def __init__(self, model: str, width: int, height: int) -> None:
        config = _ONE_OUTPUT_GRAPH.format(width=width, height=height, low=0, model=model)
        self.width, self.height = width, height
        self._graph = _GraphRunner(config, ("values",), "get_float_list")

    def run(self, rgb: NDArray[np.uint8]) -> NDArray[np.float32]:
        values = np.asarray(self._graph.run(rgb).get("values", ()), dtype=np.float32)
        if values.size != self.width * self.height:
            return np.zeros((self.height, self.width), dtype=np.float32)
        return values.reshape(self.height, self.width)


# A detector model decoded by mediapipe into candidates above a score floor, before any
# suppression: only a handful of protos cross into Python instead of every anchor's tensor.
_SSD_GRAPH = (
    """
input_stream: "image"
output_stream: "detections"
"""
    + _IMAGE_TO_MODEL
    + """node {{
  calculator: "SsdAnchorsCalculator"
  output_side_packet: "anchors"
  options {{ [mediapipe.SsdAnchorsCalculatorOptions.ext] {{
    input_size_width: {size} input_size_height: {size} min_scale: 0.1484375 max_scale: 0.75
    anchor_offset_x: 0.5 anchor_offset_y: 0.5 num_layers: {layers} {strides}
    aspect_ratios: 1.0 fixed_anchor_size: true {interpolated} }} }}
}}
node {{
  calculator: "TensorsToDetectionsCalculator"
  input_stream: "TENSORS:output"
  input_side_packet: "ANCHORS:anchors"
  output_stream: "DETECTIONS:detections"
  options {{ [mediapipe.TensorsToDetectionsCalculatorOptions.ext] {{
    num_classes: 1 num_boxes: {boxes} num_coords: {coords} box_coord_offset: 0
    keypoint_coord_offset: 4 num_keypoints: {keypoints} num_values_per_keypoint: 2
    sigmoid_score: true score_clipping_thresh: 100.0 reverse_output_order: true
    x_scale: {size} y_scale: {size} w_scale: {size} h_scale: {size}
    min_score_thresh: {floor} }} }}
}}
"""
)


@dataclass(frozen=True)
class _SsdModel:
    """A wheel detector model and its anchor layout (from mediapipe's own graphs)."""

    path: str
    size: int
    strides: tuple[int, ...]
    interpolated: bool
    boxes: int
    keypoints: int


_POSE_SSD = _SsdModel(_POSE_DETECTOR_MODEL, 224, (8, 16, 32, 32, 32), True, 2254, 4)
_FACE_SSD = _SsdModel(_FACE_MODEL, 192, (4,), False, 2304, 6)


class _SsdGraph:
    """Detector graph: `run(square_rgb)` -> (scores (N,), boxes (N, 4) xyxy, points (N, K, 2)).

    Coordinates are pixels of the square input. Not thread-safe: the owner serialises calls.
    """

    def __init__(self, model: _SsdModel, floor: float) -> None:
        config = _SSD_GRAPH.format(
            width=model.size,
            height=model.size,
            low=-1,
            size=model.size,
            model=model.path,
            layers=len(model.strides),
            strides=" ".join(f"strides: {stride}" for stride in model.strides),
            interpolated="" if model.interpolated else "interpolated_scale_aspect_ratio: 0.0",
            boxes=model.boxes,
            coords=4 + 2 * model.keypoints,
            keypoints=model.keypoints,
            floor=floor,
        )
        self.size = model.size
        self.keypoints = model.keypoints
        self._graph = _GraphRunner(config, ("detections",), "get_proto_list")

    def run(
        self, square_rgb: NDArray[np.uint8]
    ) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]]:
        found = self._graph.run(square_rgb).get("detections", [])
        count = len(found)
        scores = np.zeros(count, dtype=np.float32)
        boxes = np.zeros((count, 4), dtype=np.float32)
        points = np.zeros((count, self.keypoints, 2), dtype=np.float32)
        for index, detection in enumerate(found):
            scores[index] = detection.score[0]
            box = detection.location_data.relative_bounding_box
            boxes[index] = (box.xmin, box.ymin, box.xmin + box.width, box.ymin + box.height)
            for k, point in enumerate(detection.location_data.relative_keypoints):
                if k < self.keypoints:
                    points[index, k] = (point.x, point.y)
        return scores, boxes * self.size, points * self.size


class _TfliteGraph:
    """A wheel model whose two chosen outputs are returned as flat float arrays.

    Used for the pose landmark verifier (outputs 0 and 1).
    """

    def __init__(
        self,
        model: str,
        size: tuple[int, int],
        low: float,
        outputs: tuple[int, int] = (0, 1),
    ) -> None:
        width, height = size
        config = _TWO_OUTPUTS_GRAPH.format(
            width=width,
            height=height,
            low=low,
            model=model,
            first=outputs[0],
            first_end=outputs[0] + 1,
            second=outputs[1],
            second_end=outputs[1] + 1,
        )
        self._streams = ("boxes", "scores")
        self.size = size
        self._graph = _GraphRunner(config, self._streams, "get_float_list")

    def run(self, rgb: NDArray[np.uint8]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """(first output, second output) as float32 arrays."""
        out = self._graph.run(rgb)
        first = np.asarray(out.get(self._streams[0], ()), dtype=np.float32)
        second = np.asarray(out.get(self._streams[-1], ()), dtype=np.float32)
        return first, second


def _mediapipe_root() -> str:
    """Directory that holds the wheel's `mediapipe/` package (model paths are relative to it)."""
    import mediapipe

    return str(Path(mediapipe.__file__).resolve().parent.parent)


@dataclass
class _Candidates:
    """Detector outputs above a floor, mapped to working-frame pixels."""

    scores: list[float] = field(default_factory=list)
    points: list[NDArray[np.floating[Any]]] = field(default_factory=list)  # keypoints (K, 2)
    boxes: list[NDArray[np.floating[Any]]] = field(default_factory=list)  # (x1, y1, x2, y2)
    passes: list[int] = field(default_factory=list)
    # `_merge_pose` of these candidates and how many there were then: the doubt test, the tile
    # choice, the fusion and the candidate list each ask for the same merge. Candidates are
    # only ever added, so a merge of as many is this merge.
    merged_pose: tuple[int, list[_MergedPose]] | None = field(
        default=None, repr=False, compare=False
    )

    def extend(self, other: _Candidates) -> None:
        self.scores.extend(other.scores)
        self.points.extend(other.points)
        self.boxes.extend(other.boxes)
        self.passes.extend(other.passes)


_MergedPose = tuple[float, NDArray[np.floating[Any]], int]  # best score, its keypoints, first pass


_Crop = tuple[int, tuple[int, int, int, int]]  # (pass id, (x1, y1, x2, y2))


def _numbered_regions(
    width: int, height: int, layouts: tuple[str, ...], first_pass: int = 0
) -> list[_Crop]:
    """Every crop of the layouts with its pass id, counting from `first_pass`."""
    crops = [region for layout in layouts for region in _regions(width, height, layout)]
    return list(enumerate(crops, start=first_pass))


def _regions(width: int, height: int, layout: str) -> list[tuple[int, int, int, int]]:
    """Crops (x1, y1, x2, y2) of the working frame for one pass layout."""
    if layout == "full":
        return [(0, 0, width, height)]
    if layout == "grid2x2":
        tile_w, tile_h = int(width * 0.6), int(height * 0.6)
        return [
            (x, y, x + tile_w, y + tile_h)
            for x in (0, width - tile_w)
            for y in (0, height - tile_h)
        ]
    raise ValueError(f"unknown pass layout {layout!r}")


@dataclass(frozen=True)
class FusionConfig:
    """Thresholds and passes of one named pipeline (scores are detector probabilities).

    The first layout of `pose_layouts` and of `face_layouts` is the cheap pass run on every
    frame. With `adaptive`, the other layouts and the landmark verifier run only when the
    cheap pass is in doubt (see `_in_doubt`); without it they always run.
    """

    name: str
    pose_layouts: tuple[str, ...]
    face_layouts: tuple[str, ...]
    pose_floor: float = 0.4  # candidates kept for merging
    pose_accept: float = 0.9  # accepted without verification
    pose_min: float = 0.6  # accepted when verified (or directly when verify is off)
    verify: bool = True
    presence_min: float = 0.5  # pose landmark presence needed to confirm a candidate
    head_visibility_min: float = 0.8  # mean visibility of nose, eyes and ears when verifying
    face_floor: float = 0.4  # faces at or above this are blurred in evidence
    face_accept: float = 0.8  # a face alone is a person
    face_min: float = 0.6  # ... or this score seen in at least face_min_passes passes
    face_min_passes: int = 2
    adaptive: bool = False
    pose_doubt: tuple[float, float] = (0.4, 0.9)  # cheap-pass pose scores that escalate
    face_doubt: tuple[float, float] = (0.6, 0.8)  # cheap-pass face scores that escalate
    # Extra pose layouts run only on the tiles that hold the centre of a face (>= this score)
    # that no confident cheap-pass person explains; None runs them on every tile.
    pose_tiles_need_face: float | None = None
    pose_with_face: float = 1.1  # a pose this likely counts when a face is at its head (>1: off)
    face_at_head: float = 0.5  # ... a face candidate of at least this score
    # Crowd path (public squares and roads): when nobody is counted but the first pass saw a
    # weak pose small enough to fit a tile, run pose on the tiles of an overlapping grid of
    # such tiles that hold its hip.
    crowd_grid: tuple[int, int] | None = None
    crowd_tile: float = 0.4  # tile side as a share of the frame's
    # Uncounted pose hits from this score are returned as `Detection.candidates`.
    candidate_min: float = 0.5
    # A confident pose lying across the frame (body axis horizontal) is in doubt too: in an
    # office nobody lies on the floor, and measured on the classroom sequence such a pose
    # spans two seated people at their desks while the cheap pass sees nobody else.
    lying_doubt: bool = False
    release: str = "1"


FUSION = FusionConfig(
    name="mp-fusion",
    pose_layouts=("full", "grid2x2"),
    face_layouts=("full", "grid2x2"),
    adaptive=True,
    pose_tiles_need_face=0.4,
    pose_with_face=0.5,
    face_at_head=0.5,
    # Below pose_with_face no rule counts a pose, so such candidates are no reason to escalate.
    pose_doubt=(0.5, 0.9),
    lying_doubt=True,
    # 4: no pose tile for a face that counts by itself. 5: a lying pose escalates; one pose
    # per head.
    release="5",
)
# The default for every camera: mp-fusion plus the crowd path for small, distant people (a
# town square, a large hall seen from a corner). Measured on ../shared/frames it finds the plaza
# crowd mp-fusion misses and adds no false person on any empty frame or sequence; the crowd
# path ran on 1 of 186 frames (about 80 ms there instead of 13), and check throughput is the
# same as mp-fusion's within the run-to-run spread.
# Release 4: crowd tiles only where the first pass half-saw someone (4 of 9 on the plaza);
# release 5: with mp-fusion 4; release 6: with mp-fusion 5; release 7: a fixed camera's burst
# that matches its learned empty scene runs no model (`cameras.vision.fixed_camera`, rule 0);
# release 8: a moving candidate must have moved against every other frame of its burst (the
# ghost of a person who left, counted on the later frames of a burst, is gone); release 9:
# selfie segmentation blobs count with a face at their top or when moving (rule 6).
CROWD = replace(FUSION, name="mp-crowd", crowd_grid=(3, 3), release="9")
FAST = FusionConfig(
    name="mp-fast",
    pose_layouts=("full",),
    face_layouts=("full",),
    pose_accept=0.6,
    pose_min=0.6,
    verify=False,
    face_accept=0.6,
    face_min=0.6,
    face_min_passes=1,
    release="2",
)

# Pose landmark model output 0: 39 landmarks x (x, y, z, visibility, presence), logits for the
# last two. Nose, inner eyes and ears show whether a head is really there.
_LANDMARK_VALUES = 5
_HEAD_LANDMARKS = (0, 2, 5, 7, 8)


class MediapipeDetector:
    """Pose + face fusion detector (see module docstring). Thread-safe, one per process."""

    def __init__(self, config: FusionConfig) -> None:
        import mediapipe

        self.config = config
        self.name = config.name
        self.version = f"{config.release}+mediapipe{mediapipe.__version__}"
        self._lock = threading.Lock()
        self._pose: _SsdGraph | None = None
        self._face: _SsdGraph | None = None
        self._landmarks: _TfliteGraph | None = None
        self._segment: _MaskGraph | None = None
        self.escalations = 0  # frames that needed the extra passes (for benchmarks)
        self.crowd_runs = 0  # frames that took the crowd path

    @property
    def is_loaded(self) -> bool:
        """True once the model graphs exist (after `load()` or the first `detect()`)."""
        return self._pose is not None

    def load(self) -> None:
        """Build the graphs now (otherwise done by the first `detect()`)."""
        cv2.setNumThreads(1)
        if self._pose is None:
            self._pose = _SsdGraph(_POSE_SSD, self.config.pose_floor)
        if self._face is None:
            self._face = _SsdGraph(_FACE_SSD, self.config.face_floor)
        if self.config.verify and self._landmarks is None:
            # Outputs 0 (landmarks) and 1 (pose presence).
            self._landmarks = _TfliteGraph(_POSE_LANDMARK_MODEL, (256, 256), 0.0, outputs=(0, 1))

    def _work_rgb(self, frame_bgr: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], float]:
        """The models loaded and the frame at the working size, as RGB, with its scale (under
        the lock)."""
        self.load()
        work, scale = resize_long_side(frame_bgr, WORK_LONG_SIDE)
        return cast(NDArray[np.uint8], cv2.cvtColor(work, cv2.COLOR_BGR2RGB)), scale

    def detect(self, frame_bgr: NDArray[np.uint8]) -> Detection:
        """Count people in a BGR uint8 frame; boxes are in the input frame's pixels."""
        _expect_bgr(frame_bgr)
        with self._lock:
            rgb, scale = self._work_rgb(frame_bgr)
            people, faces, candidates = self._detect_work(rgb)
        height, width = frame_bgr.shape[:2]
        return Detection(
            people=tuple(_rescale_person(p, 1.0 / scale, width, height) for p in people),
            faces=tuple(_rescale_box(f, 1.0 / scale, width, height) for f in faces),
            frame_shape=(height, width),
            candidates=tuple(_rescale_person(p, 1.0 / scale, width, height) for p in candidates),
        )

    def privacy_faces(self, frame_bgr: NDArray[np.uint8]) -> tuple[Box, ...]:
        """Every face of the cheap whole-frame face pass above the model's floor, for blurring
        only (never counted): the evidence of a burst that ran no counting model still hides
        any face the empty-scene rule might have missed. About a tenth of `detect`."""
        _expect_bgr(frame_bgr)
        with self._lock:
            rgb, scale = self._work_rgb(frame_bgr)
            work_height, work_width = rgb.shape[:2]
            regions = _numbered_regions(work_width, work_height, self.config.face_layouts[:1])
            faces = self._run_passes(rgb, self._face, regions)
        height, width = frame_bgr.shape[:2]
        return tuple(
            _rescale_box(_box(box, score), 1.0 / scale, width, height)
            for score, box in zip(faces.scores, faces.boxes, strict=True)
        )

    def segment_people(self, frame_bgr: NDArray[np.uint8]) -> tuple[Box, ...]:
        """Upright person-shaped blobs of the selfie segmentation model on the whole frame
        (boxes in input pixels, score = mean mask value): evidence for the fixed-camera rules,
        never a person on its own (a bottle is person-shaped to it). Left out: blobs touching
        the top edge (an arm reaching in from above), lying or tiny ones (a blob cut off by the
        bottom edge may be as wide as tall: a head and shoulders walking in there)."""
        _expect_bgr(frame_bgr)
        with self._lock:
            rgb, _scale = self._work_rgb(frame_bgr)
            if self._segment is None:
                self._segment = _MaskGraph(_SEGMENT_MODEL, 256, 144)
            mask = self._segment.run(rgb)
        height, width = frame_bgr.shape[:2]
        return _person_blobs(mask, width, height)

    def detect_regions(self, frame_bgr: NDArray[np.uint8], regions: Sequence[Box]) -> Detection:
        """People found by zooming into `regions` (boxes in `frame_bgr` pixels).

        Each region is cropped with a margin, squared and enlarged to the models' input (a far
        person fills the pose model's 224 px instead of a few dozen). A pose counts when
        confident, or with a face (>= face_min) at its head; a face when confident (the face
        model runs only on crops holding the head of a pose in doubt). Sources are
        "zoom-pose" / "zoom-face"; boxes in input pixels. The other upright poses of at least
        `candidate_min` are the result's `candidates` (source "zoom-pose"), for the burst rules.
        """
        _expect_bgr(frame_bgr)
        height, width = frame_bgr.shape[:2]
        if not regions:
            return Detection(people=(), frame_shape=(height, width))
        with self._lock:
            rgb, scale = self._work_rgb(frame_bgr)
            crops = [crop for r in regions for crop in _zoom_crops(r, scale, rgb.shape)]
            crops = crops[:ZOOM_MAX_CROPS]
            people, candidates = self._zoom_people(rgb, crops) if crops else ([], [])
        return Detection(
            people=tuple(_rescale_person(p, 1.0 / scale, width, height) for p in people),
            frame_shape=(height, width),
            candidates=tuple(_rescale_person(p, 1.0 / scale, width, height) for p in candidates),
        )

    def _zoom_people(
        self, rgb: NDArray[np.uint8], crops: list[tuple[int, int, int, int]]
    ) -> tuple[list[PersonBox], list[PersonBox]]:
        config = self.config
        height, width = rgb.shape[:2]
        numbered = list(enumerate(crops, start=200))
        pose = self._run_passes(rgb, self._pose, numbered)
        # The face model runs only on the crops that hold the head of a pose it can confirm
        # (cost: a zoomed face alone, "zoom-face", counted on no frame of ../shared/frames or
        # ../shared/sequences, while the face passes were a quarter of the zoom's cost).
        doubtful_heads = [
            (float(head[0] + head[2]) / 2, float(head[1] + head[3]) / 2)
            for score, points, _first in _merge_pose(pose)
            if config.pose_with_face <= score < config.pose_accept
            and _plausible(points, width, height)
            for head in [_head_box(points)]
        ]
        faces = self._run_passes(rgb, self._face, _crops_holding(numbered, doubtful_heads))
        people: list[PersonBox] = []
        heads: list[NDArray[np.floating[Any]]] = []
        for score, points, _first in _merge_pose(pose):
            if score < config.pose_with_face or not _plausible(points, width, height):
                continue
            head = clip_xyxy(_head_box(points), width, height)
            if _near_any_head(head, heads):
                continue
            # Zoomed in, furniture fools the pose detector and the verifier alike (measured on
            # moved chairs in empty rooms), but not the face detector as well.
            confirmed = score >= config.pose_accept or (
                _best_face_at(head, faces) >= config.face_min
            )
            if not confirmed:
                continue
            body = clip_xyxy(_body_box(points), width, height)
            if body[2] - body[0] < 2 or body[3] - body[1] < 2:
                continue
            heads.append(head)
            people.append(_person(body, score, "zoom-pose", head))
        for score, box, _support in _merge_faces(faces):
            if score >= config.face_accept and not _near_any_head(box, heads):
                heads.append(box)
                body = clip_xyxy(_body_from_face(box), width, height)
                people.append(_person(body, score, "zoom-face", clip_xyxy(box, width, height)))
        return people, _weak_candidates(pose, people, config, width, height, "zoom-pose")

    def _detect_work(
        self, rgb: NDArray[np.uint8]
    ) -> tuple[list[PersonBox], list[Box], list[PersonBox]]:
        config = self.config
        height, width = rgb.shape[:2]
        cheap_pose = _numbered_regions(width, height, config.pose_layouts[:1])
        extra_pose = _numbered_regions(width, height, config.pose_layouts[1:], len(cheap_pose))
        cheap_face = _numbered_regions(width, height, config.face_layouts[:1])
        extra_face = _numbered_regions(width, height, config.face_layouts[1:], len(cheap_face))
        pose = self._run_passes(rgb, self._pose, cheap_pose)
        faces = self._run_passes(rgb, self._face, cheap_face)
        first_pose = _Candidates(
            list(pose.scores), list(pose.points), list(pose.boxes), list(pose.passes)
        )
        people, face_boxes = self._detect_rooms(
            rgb, pose, faces, cheap_pose, extra_pose, extra_face
        )
        if not people and config.crowd_grid is not None:
            hints = _crowd_hints(first_pose, config, width, height)
            if hints:
                people = self._crowd_people(rgb, hints)
        return people, face_boxes, _weak_candidates(pose, people, config, width, height)

    def _detect_rooms(
        self,
        rgb: NDArray[np.uint8],
        pose: _Candidates,
        faces: _Candidates,
        cheap_pose: list[_Crop],
        extra_pose: list[_Crop],
        extra_face: list[_Crop],
    ) -> tuple[list[PersonBox], list[Box]]:
        """The default pipeline: cheap whole-frame passes, escalated only when in doubt."""
        config = self.config
        height, width = rgb.shape[:2]
        escalate = bool(extra_pose or extra_face) and (
            not config.adaptive or _in_doubt(pose, faces, config, width, height)
        )
        if not escalate:
            # Confident cheap pass: scores are either clearly in or clearly out, so the
            # verifier would not change the answer.
            return self._fuse(rgb, pose, faces, verify=False, whole_passes=len(cheap_pose))
        self.escalations += 1
        faces.extend(self._run_passes(rgb, self._face, extra_face))
        if config.pose_tiles_need_face is not None:
            extra_pose = _tiles_with_lone_faces(extra_pose, pose, faces, config, width, height)
        pose.extend(self._run_passes(rgb, self._pose, extra_pose))
        return self._fuse(rgb, pose, faces, verify=config.verify, whole_passes=len(cheap_pose))

    def _crowd_people(
        self, rgb: NDArray[np.uint8], hints: list[NDArray[np.floating[Any]]]
    ) -> list[PersonBox]:
        """Pose on the tiles of an overlapping grid that hold a hint (a weak first-pass hip);
        a tile pose counts only when confident and confirmed by the landmark verifier (so
        zoomed-in furniture stays out). A crowd gathers around what the first pass half-saw,
        so the other tiles are not worth their cost."""
        config = self.config
        assert config.crowd_grid is not None  # noqa: S101 - checked by the caller
        height, width = rgb.shape[:2]
        self.crowd_runs += 1
        columns, rows = config.crowd_grid
        tile_w, tile_h = int(config.crowd_tile * width), int(config.crowd_tile * height)
        step_x = (width - tile_w) / max(columns - 1, 1)
        step_y = (height - tile_h) / max(rows - 1, 1)
        crops = [
            (
                100 + row * columns + column,
                (
                    int(column * step_x),
                    int(row * step_y),
                    int(column * step_x) + tile_w,
                    int(row * step_y) + tile_h,
                ),
            )
            for row in range(rows)
            for column in range(columns)
        ]
        crops = _crops_holding(crops, [(float(hip[0]), float(hip[1])) for hip in hints])
        people: list[PersonBox] = []
        heads: list[NDArray[np.floating[Any]]] = []
        for score, points, _first in _merge_pose(self._run_passes(rgb, self._pose, crops)):
            if score < config.pose_accept or not _plausible(points, width, height):
                continue
            head = clip_xyxy(_head_box(points), width, height)
            if _near_any_head(head, heads) or not self._verified(rgb, points):
                continue
            heads.append(head)
            people.append(_person(clip_xyxy(_body_box(points), width, height), score, "pose", head))
        return people

    def _fuse(
        self,
        rgb: NDArray[np.uint8],
        pose: _Candidates,
        faces: _Candidates,
        *,
        verify: bool,
        whole_passes: int,
    ) -> tuple[list[PersonBox], list[Box]]:
        """People from merged candidates; pose passes below `whole_passes` saw the whole frame.

        A pose counts when it is confident, when a face candidate sits at its head (two
        independent models agree), or when the verifier confirms it. A pose seen only on
        tiles never goes to the verifier: zoomed-in furniture fools both detector and verifier
        (empty classrooms and conference rooms), but not the face detector as well.
        """
        height, width = rgb.shape[:2]
        config = self.config
        people: list[PersonBox] = []
        heads: list[NDArray[np.floating[Any]]] = []
        hips: list[NDArray[np.floating[Any]]] = []
        for score, points, first_pass in _merge_pose(pose):
            if not _plausible(points, width, height):
                continue
            accepted = (
                score >= config.pose_accept
                or (
                    score >= config.pose_with_face
                    and _best_face_at(_head_box(points), faces) >= config.face_at_head
                )
                or (
                    score >= config.pose_min
                    and first_pass < whole_passes
                    and (not verify or self._verified(rgb, points))
                )
            )
            if not accepted:
                continue
            body = clip_xyxy(_body_box(points), width, height)
            head = clip_xyxy(_head_box(points), width, height)
            if body[2] - body[0] < 2 or body[3] - body[1] < 2:
                continue
            # One person per hip: a weaker pose at a counted person's hip is that person seen
            # at another scale (measured: a walker found at 0.97 and, cut off by the frame's
            # bottom edge, at twice the size at 0.60), which the merge leaves apart.
            if _same_hip_as_any(points, hips):
                continue
            hips.append(points)
            heads.append(head)
            people.append(_person(body, score, "pose", head))
        face_boxes: list[Box] = []
        for score, box, support in _merge_faces(faces):
            face_boxes.append(_box(clip_xyxy(box, width, height), score))
            counted = score >= config.face_accept or (
                score >= config.face_min and support >= config.face_min_passes
            )
            if counted and not _near_any_head(box, heads):
                heads.append(box)
                body = clip_xyxy(_body_from_face(box), width, height)
                people.append(_person(body, score, "face", clip_xyxy(box, width, height)))
        return people, face_boxes

    def _run_passes(
        self, rgb: NDArray[np.uint8], model: _SsdGraph | None, crops: list[_Crop]
    ) -> _Candidates:
        """Run `model` on every numbered crop; candidates in working-frame pixels."""
        assert model is not None  # noqa: S101 - load() ran
        found = _Candidates()
        for pass_id, (x1, y1, x2, y2) in crops:
            square, scale, pad_x, pad_y = letterbox(rgb[y1:y2, x1:x2], model.size)
            scores, boxes, points = model.run(square)
            pad = np.array([pad_x, pad_y], dtype=np.float32)
            offset = np.array([x1, y1], dtype=np.float32)
            boxes = (boxes - np.tile(pad, 2)) / scale + np.tile(offset, 2)
            points = (points - pad) / scale + offset
            for index in range(len(scores)):
                found.scores.append(float(scores[index]))
                found.points.append(points[index])
                found.boxes.append(boxes[index])
                found.passes.append(pass_id)
        return found

    def _verified(self, rgb: NDArray[np.uint8], points: NDArray[np.floating[Any]]) -> bool:
        """Pose presence and a visible head on the upright body crop around the candidate.

        The head check rejects a bare arm or hand reaching into the view, which the pose
        models readily complete into a whole (invisible) body.
        """
        assert self._landmarks is not None  # noqa: S101 - load() ran with verify on
        crop = _upright_body_crop(rgb, points, 256)
        landmarks, presence = self._landmarks.run(crop)
        if not presence.size or float(presence[0]) < self.config.presence_min:
            return False
        return _head_visibility(landmarks) >= self.config.head_visibility_min


# A zoomed crop is never smaller than this (working pixels): enlarging a 40 px patch to the
# pose model's 224 px only magnifies JPEG blocks.
ZOOM_MIN_SIDE = 112
ZOOM_MARGIN = 0.25  # share of the region's longer side added around it
ZOOM_MAX_SHARE = 0.6  # largest zoom crop, as a share of the frame's sides
ZOOM_MAX_CROPS = 6  # cost bound: at most this many zoomed crops per frame


SEGMENT_MIN = 0.5  # mask value of a person pixel
SEGMENT_MIN_AREA = 0.004  # share of the frame
SEGMENT_MAX_AREA = 0.2
SEGMENT_UPRIGHT = 1.5  # height at least this many times the width ...
# ... or this many times for a blob cut off by the frame's bottom edge: under a high camera a
# person walking in or out there shows a head and shoulders (store aisle 0020: 115 x 125 px).
SEGMENT_CUT_UPRIGHT = 0.8


def _person_blobs(mask: NDArray[np.float32], width: int, height: int) -> tuple[Box, ...]:
    """Connected blobs of `mask` (any grid) that may be a standing person, in frame pixels."""
    grid_h, grid_w = mask.shape
    count, labels, stats, _centres = cv2.connectedComponentsWithStats(
        (mask >= SEGMENT_MIN).astype(np.uint8), connectivity=8
    )
    sx, sy = width / grid_w, height / grid_h
    blobs = []
    for index in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[index])
        share = area / (grid_w * grid_h)
        if not SEGMENT_MIN_AREA <= share <= SEGMENT_MAX_AREA or y <= 0:
            continue
        upright = SEGMENT_CUT_UPRIGHT if y + h >= grid_h else SEGMENT_UPRIGHT
        if h * sy < upright * w * sx:
            continue
        score = float(mask[labels == index].mean())
        blobs.append(Box(round(x * sx), round(y * sy), round(w * sx), round(h * sy), score))
    return tuple(blobs)


def _expect_bgr(frame_bgr: NDArray[np.uint8]) -> None:
    if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3:
        raise ValueError("expected an HxWx3 BGR frame")


def _zoom_crops(
    region: Box, scale: float, shape: tuple[int, ...]
) -> list[tuple[int, int, int, int]]:
    """Working-frame crops (x1, y1, x2, y2) around a region of the input frame.

    A square crop with margin when it fits within ZOOM_MAX_SHARE of the frame's shorter side;
    a larger region (people side by side, moving together) is covered by overlapping crops of
    ZOOM_MAX_SHARE of the frame's width and height (letterboxed into the model's square), so
    each person is seen whole and still enlarged.
    """
    height, width = int(shape[0]), int(shape[1])
    margin = max(region.w, region.h) * scale * ZOOM_MARGIN
    x1 = max(region.x * scale - margin, 0.0)
    y1 = max(region.y * scale - margin, 0.0)
    x2 = min(region.x2 * scale + margin, float(width))
    y2 = min(region.y2 * scale + margin, float(height))
    side = ZOOM_MAX_SHARE * min(width, height)
    if max(x2 - x1, y2 - y1) <= side:
        side = min(max(x2 - x1, y2 - y1, ZOOM_MIN_SIDE), min(width, height))
        return [_box_at((x1 + x2) / 2, (y1 + y2) / 2, side, side, width, height)]
    # Two coverings: squares of the largest side (more enlarged) and boxes of that share of
    # the frame's width and height (more context); the pose model finds people seen from above
    # and behind in one or the other, rarely in both.
    crops = _cover(x1, y1, x2, y2, side, side, width, height)
    crops += _cover(x1, y1, x2, y2, ZOOM_MAX_SHARE * width, ZOOM_MAX_SHARE * height, width, height)
    return crops


def _cover(
    x1: float, y1: float, x2: float, y2: float, box_w: float, box_h: float, width: int, height: int
) -> list[tuple[int, int, int, int]]:
    """Overlapping boxes of box_w x box_h that together cover (x1, y1, x2, y2)."""
    columns = int(np.ceil((x2 - x1) / box_w))
    rows = int(np.ceil((y2 - y1) / box_h))
    centres_x = np.linspace(x1 + box_w / 2, max(x2 - box_w / 2, x1 + box_w / 2), columns)
    centres_y = np.linspace(y1 + box_h / 2, max(y2 - box_h / 2, y1 + box_h / 2), rows)
    return [
        _box_at(float(cx), float(cy), box_w, box_h, width, height)
        for cy in centres_y
        for cx in centres_x
    ]


def _box_at(
    centre_x: float, centre_y: float, box_w: float, box_h: float, width: int, height: int
) -> tuple[int, int, int, int]:
    """A box of box_w x box_h centred as near (centre_x, centre_y) as the frame allows."""
    x1 = int(min(max(centre_x - box_w / 2, 0), width - box_w))
    y1 = int(min(max(centre_y - box_h / 2, 0), height - box_h))
    return x1, y1, int(x1 + box_w), int(y1 + box_h)


def _weak_candidates(
    pose: _Candidates,
    people: Sequence[PersonBox],
    config: FusionConfig,
    width: int,
    height: int,
    source: str = "pose",
) -> list[PersonBox]:
    """Uncounted upright pose candidates of at least `config.candidate_min` (every pass that
    ran), away from the heads of counted people: evidence for the fixed-camera rules, never a
    person on their own. Lying shapes are left out: on the sequences every lying candidate
    of that score was a wall or a table edge."""
    heads = [
        np.array([p.head.x, p.head.y, p.head.x2, p.head.y2], dtype=np.float32)
        for p in people
        if p.head is not None
    ]
    found: list[PersonBox] = []
    for score, points, _first in _merge_pose(pose):
        if score < config.candidate_min or not _plausible(points, width, height):
            continue
        body = clip_xyxy(_body_box(points), width, height)
        head = clip_xyxy(_head_box(points), width, height)
        if body[3] - body[1] < max(body[2] - body[0], 2) or _near_any_head(head, heads):
            continue
        heads.append(head)
        found.append(_person(body, score, source, head))
    return found


def _tiles_with_lone_faces(
    crops: list[_Crop],
    pose: _Candidates,
    faces: _Candidates,
    config: FusionConfig,
    width: int,
    height: int,
) -> list[_Crop]:
    """The crops holding the centre of a face that no confident cheap-pass person explains and
    that is not confident enough (`face_accept`) to count as a person by itself.

    A tile pose pass is how such a face becomes a person (a pose with a face at its head, see
    `MediapipeDetector._fuse`); a face that counts on its own needs no such help, and the pose
    model is the most expensive pass (about 7 ms here).
    """
    assert config.pose_tiles_need_face is not None  # noqa: S101 - caller checked
    heads = [
        clip_xyxy(_head_box(points), width, height)
        for score, points, _first in _merge_pose(pose)
        if score >= config.pose_accept and _plausible(points, width, height)
    ]
    centres = [
        (box[:2] + box[2:]) / 2
        for score, box, _support in _merge_faces(faces)
        if config.pose_tiles_need_face <= score < config.face_accept
        and not _near_any_head(box, heads)
    ]
    return _crops_holding(crops, [(float(cx), float(cy)) for cx, cy in centres])


def _crops_holding(crops: list[_Crop], points: list[tuple[float, float]]) -> list[_Crop]:
    """The crops that hold at least one of `points` (working-frame pixels)."""
    return [
        (pass_id, (x1, y1, x2, y2))
        for pass_id, (x1, y1, x2, y2) in crops
        if any(x1 <= x < x2 and y1 <= y < y2 for x, y in points)
    ]


def _best_face_at(head: NDArray[np.floating[Any]], faces: _Candidates) -> float:
    """Highest face candidate score at `head` (0.0 when none is there)."""
    return max(
        (
            score
            for score, box in zip(faces.scores, faces.boxes, strict=True)
            if _near_any_head(box, [head])
        ),
        default=0.0,
    )


def _in_doubt(
    pose: _Candidates, faces: _Candidates, config: FusionConfig, width: int, height: int
) -> bool:
    """True when a cheap-pass score sits between clearly-not and clearly-a-person."""
    low, high = config.pose_doubt
    for score, points, _first in _merge_pose(pose):
        if score < low or not _plausible(points, width, height):
            continue
        if score < high or (config.lying_doubt and _lying(points)):
            return True
    low, high = config.face_doubt
    return any(low <= score < high for score, _box, _support in _merge_faces(faces))


def _crowd_hints(
    pose: _Candidates, config: FusionConfig, width: int, height: int
) -> list[NDArray[np.floating[Any]]]:
    """Hips of weak first-pass poses (below the doubt band) whose whole body would fit a tile."""
    tile_h = config.crowd_tile * height
    hints = []
    for score, points, _first in _merge_pose(pose):
        radius = float(np.linalg.norm(points[1] - points[0]))
        if (
            score < config.pose_doubt[0]
            and 2 * radius <= tile_h
            and _plausible(points, width, height)
        ):
            hints.append(points[0])
    return hints


def _plausible(points: NDArray[np.floating[Any]], width: int, height: int) -> bool:
    """False for body shapes that are an arm reaching into view rather than a person.

    People in offices stand, sit or lie: shoulders clearly below the hips (upside down) are an
    arm from above. A head outside the frame leaves no head or torso to see, only a limb.
    """
    torso = points[2] - points[0]
    if float(torso[1]) > 0.5 * float(np.linalg.norm(torso)):
        return False
    head = _head_box(points)
    centre_x, centre_y = (head[0] + head[2]) / 2, (head[1] + head[3]) / 2
    return bool(0 <= centre_x <= width and 0 <= centre_y <= height)


def _head_visibility(landmarks: NDArray[np.float32]) -> float:
    """Mean visibility (0..1) of nose, eyes and ears in the pose landmark output."""
    values = landmarks.reshape(-1, _LANDMARK_VALUES)
    if values.shape[0] <= max(_HEAD_LANDMARKS):
        return 0.0
    logits = values[list(_HEAD_LANDMARKS), 3].astype(np.float64)
    return float(np.mean(1.0 / (1.0 + np.exp(-logits))))


def _merge_pose(found: _Candidates) -> list[_MergedPose]:
    """Greedy merge of pose candidates from all passes: same hip spot and similar size.

    Returns (best score, its keypoints, lowest pass id that saw the person) per person, the
    same list again while no candidate was added (the callers only read it).
    """
    if found.merged_pose is not None and found.merged_pose[0] == len(found.scores):
        return found.merged_pose[1]
    order = np.argsort(-np.asarray(found.scores, dtype=np.float32))
    # Each candidate's full-body radius once (the sizes are compared before the distance, which
    # is only computed for a group of similar size: the same test, fewer norms).
    radii = [float(np.linalg.norm(points[1] - points[0])) + 1e-6 for points in found.points]
    groups: list[tuple[float, NDArray[np.floating[Any]], float, set[int]]] = []
    for index in order:
        points, radius = found.points[index], radii[index]
        for _score, kept, kept_radius, passes in groups:
            if not 0.5 < radius / kept_radius < 2.0:
                continue
            if np.linalg.norm(kept[0] - points[0]) < 0.5 * max(radius, kept_radius):
                passes.add(found.passes[index])
                break
        else:
            groups.append((found.scores[index], points, radius, {found.passes[index]}))
    merged = [(score, points, min(passes)) for score, points, _radius, passes in groups]
    found.merged_pose = (len(found.scores), merged)
    return merged


def _same_hip_as_any(
    points: NDArray[np.floating[Any]], others: list[NDArray[np.floating[Any]]]
) -> bool:
    """True when one of `others` (keypoints) has its hip centre within half the larger
    full-body radius of this one's, whatever the sizes (the merge also asks similar sizes)."""
    radius = float(np.linalg.norm(points[1] - points[0]))
    for kept in others:
        kept_radius = float(np.linalg.norm(kept[1] - kept[0]))
        if float(np.linalg.norm(kept[0] - points[0])) < 0.5 * max(radius, kept_radius):
            return True
    return False


def _merge_faces(found: _Candidates) -> list[tuple[float, NDArray[np.floating[Any]], int]]:
    """Greedy IoU merge of face candidates from all passes."""
    order = np.argsort(-np.asarray(found.scores, dtype=np.float32))
    groups: list[tuple[float, NDArray[np.floating[Any]], set[int]]] = []
    for index in order:
        box = found.boxes[index]
        for _score, kept, passes in groups:
            if iou_one_to_many(kept, box)[0] > 0.3:
                passes.add(found.passes[index])
                break
        else:
            groups.append((found.scores[index], box, {found.passes[index]}))
    return [(score, box, len(passes)) for score, box, passes in groups]


def _body_axis(points: NDArray[np.floating[Any]]) -> tuple[NDArray[np.floating[Any]], float]:
    hip, scale_point = points[0], points[1]
    radius = float(np.linalg.norm(scale_point - hip)) + 1e-6
    return (scale_point - hip) / radius, radius


def _lying(points: NDArray[np.floating[Any]]) -> bool:
    """True when the body axis (hip to full-body point) is closer to horizontal than vertical."""
    axis, _radius = _body_axis(points)
    return bool(abs(axis[1]) < abs(axis[0]))


def _body_box(points: NDArray[np.floating[Any]]) -> NDArray[np.floating[Any]]:
    """Person box from hip centre and full-body radius (tall for upright, wide for lying)."""
    axis, radius = _body_axis(points)
    hip = points[0]
    if abs(axis[1]) >= abs(axis[0]):
        half_w, half_h = 0.45 * radius, radius
    else:
        half_w, half_h = radius, 0.45 * radius
    return np.array([hip[0] - half_w, hip[1] - half_h, hip[0] + half_w, hip[1] + half_h])


def _head_box(points: NDArray[np.floating[Any]]) -> NDArray[np.floating[Any]]:
    """Head region above the shoulders along the body axis, generous for blurring."""
    hip, shoulder = points[0], points[2]
    torso = shoulder - hip
    length = float(np.linalg.norm(torso))
    axis, radius = _body_axis(points)
    if length < 0.2 * radius:
        torso = axis * 0.5 * radius
        length = 0.5 * radius
    centre = shoulder + 0.45 * torso
    half = max(0.35 * length, 3.0)
    return np.array([centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half])


def _body_from_face(face: NDArray[np.floating[Any]]) -> NDArray[np.floating[Any]]:
    """A plausible body box under a face (seated height), used for zones."""
    x1, y1, x2, y2 = face
    width, height = x2 - x1, y2 - y1
    return np.array([x1 - 0.75 * width, y1, x2 + 0.75 * width, y2 + 5.0 * height])


def _near_any_head(face: NDArray[np.floating[Any]], heads: list[NDArray[np.floating[Any]]]) -> bool:
    centre = (face[:2] + face[2:]) / 2
    face_size = float(face[2] - face[0])
    for head in heads:
        size = max(float(head[2] - head[0]), face_size)
        head_centre = (head[:2] + head[2:]) / 2
        if np.all(np.abs(centre - head_centre) < size):
            return True
    return False


def _upright_body_crop(
    rgb: NDArray[np.uint8], points: NDArray[np.floating[Any]], size: int
) -> NDArray[np.uint8]:
    """Square crop around the hip, rotated so the body axis points up (as mediapipe's ROI)."""
    axis, radius = _body_axis(points)
    hip = points[0]
    angle = float(np.degrees(np.arctan2(-axis[1], axis[0]))) - 90.0
    side = 2.5 * radius
    matrix = cast(
        NDArray[np.float64],
        cv2.getRotationMatrix2D((float(hip[0]), float(hip[1])), -angle, size / side),
    )
    matrix[:, 2] += np.array([size / 2, size / 2]) - hip
    return cast(NDArray[np.uint8], cv2.warpAffine(rgb, matrix, (size, size), borderValue=(0, 0, 0)))


def _box(xyxy: NDArray[np.floating[Any]], score: float) -> Box:
    x1, y1, x2, y2 = (round(float(v)) for v in xyxy)
    return Box(x1, y1, max(0, x2 - x1), max(0, y2 - y1), round(score, 4))


def _person(
    body: NDArray[np.floating[Any]], score: float, source: str, head: NDArray[np.floating[Any]]
) -> PersonBox:
    box = _box(body, score)
    return PersonBox(box.x, box.y, box.w, box.h, box.score, source, _box(head, score))


def _rescale_box(box: Box, factor: float, width: int, height: int) -> Box:
    xyxy = clip_xyxy(np.array([box.x, box.y, box.x2, box.y2]) * factor, width, height)
    return _box(xyxy, box.score)


def _rescale_person(person: PersonBox, factor: float, width: int, height: int) -> PersonBox:
    body = _rescale_box(Box(person.x, person.y, person.w, person.h), factor, width, height)
    head = None if person.head is None else _rescale_box(person.head, factor, width, height)
    return PersonBox(body.x, body.y, body.w, body.h, person.score, person.source, head)


def build_fusion_detector() -> MediapipeDetector:
    """Registry factory of the default pipeline (models load on first detect)."""
    return MediapipeDetector(FUSION)


def build_crowd_detector() -> MediapipeDetector:
    """Registry factory of the public-area pipeline: the default plus the crowd path."""
    return MediapipeDetector(CROWD)


def build_fast_detector() -> MediapipeDetector:
    """Registry factory of the one-pass pipeline: whole-frame pose + face, no verification."""
    return MediapipeDetector(FAST)
