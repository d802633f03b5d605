// The viewer's charts: plotly.js (shipped by the Plotly.Blazor package) drawn and updated from LineChart.razor.
// Plotly brings hover values, box zoom and pan, legend toggles and PNG export (its mode bar); a click on a point
// reports its x (epochs) back to the component, which selects that epoch.
window.digitganCharts = {
  render(element, traces, layout, filename, component) {
    const config = {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d'],
      toImageButtonOptions: { format: 'png', filename: filename, scale: 2 },
    };
    Plotly.react(element, traces, layout, config);
    element.__digitgan = component;
    if (!element.__digitganWired) {
      element.__digitganWired = true;
      element.on('plotly_click', event => {
        const point = event.points && event.points[0];
        if (point && element.__digitgan) {
          element.__digitgan.invokeMethodAsync('PointClicked', Number(point.x));
        }
      });
    }
  },
  dispose(element) {
    if (element && window.Plotly) {
      element.__digitgan = null;
      Plotly.purge(element);
    }
  },
};
