import { LabIcon } from '@jupyterlab/ui-components';

import reesSvg from '../style/icons/rees.svg';

export const reesIcon = new LabIcon({
  name: 'jupyter-rees-ui:rees',
  svgstr: reesSvg
});
