;; The 2-D GAN's matrix products in WebAssembly SIMD, float64 as torch's engine run in double precision: the layers
;; of the generator and the discriminator forward and backward over a batch, two points at a time.
;; Built by `make wasm` (wat2wasm, from Debian's wabt, which make test installs); the built bytes are shipped beside it.
;; Values are kept neuron by neuron, (neurons × n) with n a multiple of 8; weights (out × in) row by row, as torch
;; keeps them; offsets are in bytes, strides in values.
(module
  (memory (export "memory") 1)

  ;; z where test > 0, else slope · z: a leaky ReLU (slope 0: ReLU) when test is z, its gradient when test is the
  ;; layer's output and z the gradient there. NaN in z stays NaN.
  (func $leaky (param $z v128) (param $test v128) (param $slope v128) (result v128)
    (v128.bitselect (local.get $z) (f64x2.mul (local.get $z) (local.get $slope))
                    (f64x2.gt (local.get $test) (v128.const f64x2 0 0))))

  ;; z[j·n + p] = b[j] + Σ_i w[j·row + i·col] · a[i·n + p] for j < fanOut and every point p: two outputs and eight
  ;; points a pass (an odd last output is computed twice, into the same place). (row, col) = (fanIn, 1) gives
  ;; z = W a + b; (1, fanOut) with no bias gives W^T a, the gradient back through W. b = -1: no bias.
  ;; Then, when `leaky` is 1, z ← leaky ReLU of z with `slope`; when `gate` ≥ 0 (the offset of values shaped as z,
  ;; the outputs of the layer below), z ← z where gate > 0, else slope · z: back through that layer's activation.
  (func (export "product") (param $a i32) (param $fanIn i32) (param $w i32) (param $row i32) (param $col i32)
                           (param $b i32) (param $z i32) (param $fanOut i32) (param $n i32) (param $leaky i32)
                           (param $gate i32) (param $slopeValue f64)
    (local $rowBytes i32) (local $colBytes i32) (local $line i32) (local $j i32) (local $next i32) (local $p i32)
    (local $src i32) (local $weight i32) (local $i i32) (local $x0 v128) (local $x1 v128) (local $x2 v128)
    (local $x3 v128) (local $s v128) (local $t v128) (local $z0 v128) (local $z1 v128) (local $z2 v128)
    (local $z3 v128) (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128) (local $at i32) (local $slope v128) (local $g i32)
    (local.set $rowBytes (i32.shl (local.get $row) (i32.const 3)))
    (local.set $colBytes (i32.shl (local.get $col) (i32.const 3)))
    (local.set $line (i32.shl (local.get $n) (i32.const 3)))  ;; one neuron's values, in bytes
    (local.set $slope (f64x2.splat (local.get $slopeValue)))
    (local.set $j (i32.const 0))
    (block $outputs_done
      (loop $outputs
        (br_if $outputs_done (i32.ge_u (local.get $j) (local.get $fanOut)))
        ;; outputs j and next = j + 1 (or j again when j is the last)
        (local.set $next (select (i32.add (local.get $j) (i32.const 1)) (local.get $j)
                                 (i32.lt_u (i32.add (local.get $j) (i32.const 1)) (local.get $fanOut))))
        (local.set $p (i32.const 0))
        (block $points_done
          (loop $points
            (br_if $points_done (i32.ge_u (local.get $p) (local.get $line)))
            (local.set $s (v128.const f64x2 0 0))
            (local.set $t (v128.const f64x2 0 0))
            (if (i32.ge_s (local.get $b) (i32.const 0)) (then
              (local.set $s (v128.load64_splat (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3)))))
              (local.set $t (v128.load64_splat (i32.add (local.get $b) (i32.shl (local.get $next) (i32.const 3)))))))
            (local.set $z0 (local.get $s))
            (local.set $z1 (local.get $s))
            (local.set $z2 (local.get $s))
            (local.set $z3 (local.get $s))
            (local.set $y0 (local.get $t))
            (local.set $y1 (local.get $t))
            (local.set $y2 (local.get $t))
            (local.set $y3 (local.get $t))
            (local.set $src (i32.add (local.get $a) (local.get $p)))
            (local.set $weight (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $rowBytes))))
            (local.set $at (i32.mul (i32.sub (local.get $next) (local.get $j)) (local.get $rowBytes)))  ;; next's row, from j's
            (local.set $i (local.get $fanIn))
            (block $inputs_done
              (loop $inputs
                (br_if $inputs_done (i32.eqz (local.get $i)))
                (local.set $x0 (v128.load (local.get $src)))
                (local.set $x1 (v128.load offset=16 (local.get $src)))
                (local.set $x2 (v128.load offset=32 (local.get $src)))
                (local.set $x3 (v128.load offset=48 (local.get $src)))
                (local.set $s (v128.load64_splat (local.get $weight)))
                (local.set $t (v128.load64_splat (i32.add (local.get $weight) (local.get $at))))
                (local.set $z0 (f64x2.add (local.get $z0) (f64x2.mul (local.get $x0) (local.get $s))))
                (local.set $z1 (f64x2.add (local.get $z1) (f64x2.mul (local.get $x1) (local.get $s))))
                (local.set $z2 (f64x2.add (local.get $z2) (f64x2.mul (local.get $x2) (local.get $s))))
                (local.set $z3 (f64x2.add (local.get $z3) (f64x2.mul (local.get $x3) (local.get $s))))
                (local.set $y0 (f64x2.add (local.get $y0) (f64x2.mul (local.get $x0) (local.get $t))))
                (local.set $y1 (f64x2.add (local.get $y1) (f64x2.mul (local.get $x1) (local.get $t))))
                (local.set $y2 (f64x2.add (local.get $y2) (f64x2.mul (local.get $x2) (local.get $t))))
                (local.set $y3 (f64x2.add (local.get $y3) (f64x2.mul (local.get $x3) (local.get $t))))
                (local.set $src (i32.add (local.get $src) (local.get $line)))
                (local.set $weight (i32.add (local.get $weight) (local.get $colBytes)))
                (local.set $i (i32.sub (local.get $i) (i32.const 1)))
                (br $inputs)))
            (if (local.get $leaky) (then
              (local.set $z0 (call $leaky (local.get $z0) (local.get $z0) (local.get $slope)))
              (local.set $z1 (call $leaky (local.get $z1) (local.get $z1) (local.get $slope)))
              (local.set $z2 (call $leaky (local.get $z2) (local.get $z2) (local.get $slope)))
              (local.set $z3 (call $leaky (local.get $z3) (local.get $z3) (local.get $slope)))
              (local.set $y0 (call $leaky (local.get $y0) (local.get $y0) (local.get $slope)))
              (local.set $y1 (call $leaky (local.get $y1) (local.get $y1) (local.get $slope)))
              (local.set $y2 (call $leaky (local.get $y2) (local.get $y2) (local.get $slope)))
              (local.set $y3 (call $leaky (local.get $y3) (local.get $y3) (local.get $slope)))))
            (if (i32.ge_s (local.get $gate) (i32.const 0)) (then
              (local.set $g (i32.add (i32.add (local.get $gate) (i32.mul (local.get $j) (local.get $line))) (local.get $p)))
              (local.set $z0 (call $leaky (local.get $z0) (v128.load (local.get $g)) (local.get $slope)))
              (local.set $z1 (call $leaky (local.get $z1) (v128.load offset=16 (local.get $g)) (local.get $slope)))
              (local.set $z2 (call $leaky (local.get $z2) (v128.load offset=32 (local.get $g)) (local.get $slope)))
              (local.set $z3 (call $leaky (local.get $z3) (v128.load offset=48 (local.get $g)) (local.get $slope)))
              (local.set $g (i32.add (i32.add (local.get $gate) (i32.mul (local.get $next) (local.get $line))) (local.get $p)))
              (local.set $y0 (call $leaky (local.get $y0) (v128.load (local.get $g)) (local.get $slope)))
              (local.set $y1 (call $leaky (local.get $y1) (v128.load offset=16 (local.get $g)) (local.get $slope)))
              (local.set $y2 (call $leaky (local.get $y2) (v128.load offset=32 (local.get $g)) (local.get $slope)))
              (local.set $y3 (call $leaky (local.get $y3) (v128.load offset=48 (local.get $g)) (local.get $slope)))))
            (local.set $at (i32.add (i32.add (local.get $z) (i32.mul (local.get $j) (local.get $line))) (local.get $p)))
            (v128.store (local.get $at) (local.get $z0))
            (v128.store offset=16 (local.get $at) (local.get $z1))
            (v128.store offset=32 (local.get $at) (local.get $z2))
            (v128.store offset=48 (local.get $at) (local.get $z3))
            (local.set $at (i32.add (i32.add (local.get $z) (i32.mul (local.get $next) (local.get $line))) (local.get $p)))
            (v128.store (local.get $at) (local.get $y0))
            (v128.store offset=16 (local.get $at) (local.get $y1))
            (v128.store offset=32 (local.get $at) (local.get $y2))
            (v128.store offset=48 (local.get $at) (local.get $y3))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (br $points)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $outputs))))

  ;; the sum of a vector's two lanes
  (func $total (param $v v128) (result f64)
    (f64.add (f64x2.extract_lane 0 (local.get $v)) (f64x2.extract_lane 1 (local.get $v))))

  ;; g[j·fanIn + i] = Σ_p d[j·n + p] · a[i·n + p]: a layer's weight gradient (out × in) from the gradient d of its
  ;; outputs and its inputs a; two outputs × two inputs, two points a pass (an odd last one computed twice).
  (func (export "outer") (param $d i32) (param $fanOut i32) (param $a i32) (param $fanIn i32) (param $n i32)
                         (param $g i32)
    (local $line i32) (local $j i32) (local $j2 i32) (local $i i32) (local $i2 i32) (local $p i32)
    (local $dj i32) (local $dj2 i32) (local $ai i32) (local $ai2 i32)
    (local $u v128) (local $v v128) (local $x v128) (local $y v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local.set $line (i32.shl (local.get $n) (i32.const 3)))
    (local.set $j (i32.const 0))
    (block $outputs_done
      (loop $outputs
        (br_if $outputs_done (i32.ge_u (local.get $j) (local.get $fanOut)))
        (local.set $j2 (select (i32.add (local.get $j) (i32.const 1)) (local.get $j)
                               (i32.lt_u (i32.add (local.get $j) (i32.const 1)) (local.get $fanOut))))
        (local.set $dj (i32.add (local.get $d) (i32.mul (local.get $j) (local.get $line))))
        (local.set $dj2 (i32.add (local.get $d) (i32.mul (local.get $j2) (local.get $line))))
        (local.set $i (i32.const 0))
        (block $inputs_done
          (loop $inputs
            (br_if $inputs_done (i32.ge_u (local.get $i) (local.get $fanIn)))
            (local.set $i2 (select (i32.add (local.get $i) (i32.const 1)) (local.get $i)
                                   (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $fanIn))))
            (local.set $ai (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $line))))
            (local.set $ai2 (i32.add (local.get $a) (i32.mul (local.get $i2) (local.get $line))))
            (local.set $s00 (v128.const f64x2 0 0))
            (local.set $s01 (v128.const f64x2 0 0))
            (local.set $s10 (v128.const f64x2 0 0))
            (local.set $s11 (v128.const f64x2 0 0))
            (local.set $p (i32.const 0))
            (block $points_done
              (loop $points
                (br_if $points_done (i32.ge_u (local.get $p) (local.get $line)))
                (local.set $u (v128.load (i32.add (local.get $dj) (local.get $p))))
                (local.set $v (v128.load (i32.add (local.get $dj2) (local.get $p))))
                (local.set $x (v128.load (i32.add (local.get $ai) (local.get $p))))
                (local.set $y (v128.load (i32.add (local.get $ai2) (local.get $p))))
                (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $u) (local.get $x))))
                (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $u) (local.get $y))))
                (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $v) (local.get $x))))
                (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $v) (local.get $y))))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $points)))
            (f64.store (i32.add (local.get $g) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $fanIn)) (local.get $i)) (i32.const 3)))
                       (call $total (local.get $s00)))
            (f64.store (i32.add (local.get $g) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $fanIn)) (local.get $i2)) (i32.const 3)))
                       (call $total (local.get $s01)))
            (f64.store (i32.add (local.get $g) (i32.shl (i32.add (i32.mul (local.get $j2) (local.get $fanIn)) (local.get $i)) (i32.const 3)))
                       (call $total (local.get $s10)))
            (f64.store (i32.add (local.get $g) (i32.shl (i32.add (i32.mul (local.get $j2) (local.get $fanIn)) (local.get $i2)) (i32.const 3)))
                       (call $total (local.get $s11)))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $inputs)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $outputs)))))
