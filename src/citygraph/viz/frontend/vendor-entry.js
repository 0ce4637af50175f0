// The libraries the map pages use, exposed as one global (window.CGVendor) so that the pages'
// own scripts (../static/*.js) stay plain, readable files that need no build step.
import Graph from "graphology";
import Sigma from "sigma";
import { EdgeLineProgram } from "sigma/rendering";
import { createNodeBorderProgram } from "@sigma/node-border";
import { geoNaturalEarth1, geoMercator, geoPath, geoGraticule10, geoInterpolate, geoDistance } from "d3-geo";
import { feature, mesh } from "topojson-client";

window.CGVendor = {
  Graph, Sigma, createNodeBorderProgram, EdgeLineProgram,
  geo: { geoNaturalEarth1, geoMercator, geoPath, geoGraticule10, geoInterpolate, geoDistance },
  topojson: { feature, mesh },
};
